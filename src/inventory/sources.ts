import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { parseYaml, type YamlFile } from '../yaml/read.js';
import { decryptWithKeyring } from '../vault/keyring.js';
import { isVaultText } from '../vault/format.js';
import { parseIniInventory } from './ini.js';

/** One inventory source read as Ansible would: a YAML or INI file, or a comma host list. */
export interface InventorySource {
  /** The file read (or `-i` text for a host list). */
  file: string;
  /** Where its group_vars/ and host_vars/ live. */
  dir: string;
  format: 'yaml' | 'ini' | 'host list';
  y: YamlFile;
}

// Ansible's inventory_ignore_extensions (REJECT_EXTS + .orig .ini .cfg .retry) and dot files.
const IGNORED = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const YAML_EXTS = ['.yml', '.yaml', '.json'];

/**
 * Every -i value, in order. Several -i may arrive as one value with newlines between them
 * (how the CLI keeps one string option). A value with a comma that is no path is a host list
 * (`-i 'web1,web2,'`); a directory is read entry by entry in name order (group_vars/ and
 * host_vars/ skipped: they are vars, not hosts).
 */
export function readSources(paths: string[], cwd: string, warnings: string[] = []): InventorySource[] {
  const out: InventorySource[] = [];
  for (const given of paths.flatMap((p) => p.split('\n')).filter((p) => p !== '')) {
    const p = resolve(cwd, given);
    if (!existsSync(p) && given.includes(',')) {
      // Some callers resolve -i against the working directory first: undo that for a host list.
      out.push(hostList(given.startsWith(cwd + '/') ? given.slice(cwd.length + 1) : given, cwd));
      continue;
    }
    if (!existsSync(p)) throw new InputError(`inventory "${p}" not found`, undefined, "give -i a directory, an INI or YAML inventory file, or a host list ending in a comma ('web1,')");
    if (statSync(p).isDirectory()) {
      const found = readDir(p, warnings);
      if (found.length === 0) throw new InputError(`inventory directory "${p}" has no hosts.yml or hosts.yaml, nor any other inventory file`, undefined, 'create hosts.yml (start with `all:` and `hosts:`) or an INI file `hosts` in it');
      out.push(...found);
    } else out.push(readFile(p));
  }
  return out;
}

function readDir(dir: string, warnings: string[]): InventorySource[] {
  const out: InventorySource[] = [];
  for (const name of readdirSync(dir).sort()) {
    // known_hosts: where chom-play's own inventories (lab up) keep host keys (chom_known_hosts_file).
    if (name.startsWith('.') || name === 'group_vars' || name === 'host_vars' || name === 'known_hosts' || IGNORED.some((e) => name.endsWith(e))) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...readDir(p, warnings).map((s) => ({ ...s, dir })));
    else if (YAML_EXTS.includes(extname(name).toLowerCase())) out.push(readFile(p));
    else {
      // Like Ansible, a file of a directory that is no inventory (known_hosts, notes) is
      // skipped with a warning; a YAML file with an error still stops the run.
      try {
        out.push(readFile(p));
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        warnings.push(`${p}: skipped, not an inventory (${err.message.split('\n')[0]})`);
      }
    }
  }
  return out;
}

function hostList(text: string, cwd: string): InventorySource {
  const hosts: Record<string, null> = {};
  for (const h of text.split(',').map((s) => s.trim()).filter(Boolean)) hosts[h] = null;
  const loc = { file: `-i ${text}`, line: 1, col: 1 };
  return { file: loc.file, dir: cwd, format: 'host list', y: { file: loc.file, value: { ungrouped: { hosts } }, locOf: () => loc, keyLocOf: () => loc } };
}

function readFile(p: string): InventorySource {
  const ext = extname(p).toLowerCase();
  if (ext !== '' && !YAML_EXTS.includes(ext) && isExecutable(p)) {
    throw new InputError(`inventory "${p}" is an executable (a dynamic inventory script)`, undefined, 'run it yourself and save its output: `./script --list > inventory.json` is not our format either; write the hosts as YAML or INI');
  }
  let text = readFileSync(p, 'utf8');
  if (isVaultText(text)) text = decryptWithKeyring(text, p).toString('utf8');
  const dir = dirname(p);
  if (YAML_EXTS.includes(ext)) return { file: p, dir, format: 'yaml', y: asYamlInventory(text, p, true)! };
  // No extension or another one: YAML when it reads as a YAML inventory, else INI (Ansible tries both).
  const y = asYamlInventory(text, p, false);
  if (y) return { file: p, dir, format: 'yaml', y };
  return { file: p, dir, format: 'ini', y: parseIniInventory(text, p) };
}

/** The file as a YAML inventory; undefined (when not strict) if it is not one. */
function asYamlInventory(text: string, file: string, strict: boolean): YamlFile | undefined {
  let y: YamlFile;
  try {
    y = parseYaml(text, file);
  } catch (err) {
    if (strict) throw err;
    return undefined;
  }
  const v = y.value;
  const isMapOfGroups = v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((g) => g === null || (typeof g === 'object' && !Array.isArray(g))));
  if (v && typeof v === 'object' && 'plugin' in v) {
    throw new InputError(`inventory "${basename(file)}" uses the inventory plugin "${String((v as { plugin: unknown }).plugin)}"`, y.keyLocOf(['plugin']), 'inventory plugins (cloud, constructed, ...) are not supported; list the hosts in YAML or INI');
  }
  if (!strict && (!isMapOfGroups || v === null || v === undefined)) return undefined;
  return y;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
