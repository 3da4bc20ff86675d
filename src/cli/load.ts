import { resolve } from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { InputError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { loadPlaybook, resolvePlaybookPath } from '../playbook/index.js';
import type { Playbook } from '../playbook/model.js';
import { loadDotEnv, Redactor } from '../secrets/index.js';
import { readYaml } from '../yaml/read.js';
import { revealedSecrets } from '../vault/keyring.js';
import { applyStep } from './step.js';

export interface Loaded {
  playbook: Playbook;
  inventory: Inventory;
  extraVars: Vars;
  env: Record<string, string>;
  redactor: Redactor;
  projectDir: string;
}

/** Reads and validates everything a run needs; any problem is an InputError before a host is touched. */
export function loadAll(
  playbookArg: string,
  opts: { inventory: string; extraVars?: string[]; envFile?: string },
  redaction: { base64?: boolean } = {},
): Loaded {
  const cwd = process.cwd();
  const playbook = loadPlaybook(resolvePlaybookPath(playbookArg, cwd));
  applyStep(playbook);
  const invPath = resolve(cwd, opts.inventory);
  const inventory = loadInventory(invPath);
  const envFile = opts.envFile ? resolve(cwd, opts.envFile) : resolve(cwd, '.env');
  const env = loadDotEnv(envFile, cwd, Boolean(opts.envFile));
  const redactor = new Redactor(redaction);
  for (const v of Object.values(env)) redactor.add(v);
  for (const v of revealedSecrets()) redactor.add(v);
  return { playbook, inventory, extraVars: parseExtraVars(opts.extraVars ?? [], cwd), env, redactor, projectDir: cwd };
}

/** -e key=value [key2=value2], -e '{"json": 1}' / YAML, -e @file.yml — later ones win. */
export function parseExtraVars(items: string[], cwd: string): Vars {
  const out: Vars = {};
  for (const item of items) {
    if (item.startsWith('@')) {
      const f = readYaml(resolve(cwd, item.slice(1)), item.slice(1));
      if (!isMap(f.value)) throw new InputError(`-e ${item}: the file must hold a mapping of variables`, f.locOf([]));
      Object.assign(out, f.value);
    } else if (/^\s*[{]/.test(item)) {
      let v: unknown;
      try {
        v = parseYamlText(item);
      } catch (err) {
        throw new InputError(`-e ${item}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
      }
      if (!isMap(v)) throw new InputError(`-e ${item}: expected a mapping`);
      Object.assign(out, v);
    } else {
      for (const pair of splitPairs(item)) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new InputError(`-e ${item}: expected key=value, a YAML mapping, or @file.yml`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
  }
  return out;
}

/** "a=1 b='x y'" -> ["a=1", "b=x y"] (Ansible's key=value form). */
function splitPairs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  for (const ch of s.trim()) {
    if (q) {
      if (ch === q) q = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") q = ch;
    else if (/\s/.test(ch)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

function isMap(v: unknown): v is Vars {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
