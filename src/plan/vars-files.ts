import { isAbsolute, join } from 'node:path';
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { Play } from '../playbook/model.js';
import { renderValue, type TemplateContext } from '../template/index.js';
import { revealedSecrets } from '../vault/keyring.js';
import { readYaml } from '../yaml/read.js';

/**
 * vars_files entries known only per host (a list of alternatives, a templated name such as
 * `vars/{{ ansible_os_family }}.yml`): rendered with the host's vars and facts, the first
 * candidate that exists is read, as Ansible does. They go on top of the play's other vars_files.
 * Returns the play itself when it has none (no copy per host).
 */
export function playForHost(play: Play, vars: Vars, tmpl: TemplateContext): Play {
  if (!play.varsFilesLater) return play;
  const extra: Vars = {};
  for (const entry of play.varsFilesLater) {
    const tried: string[] = [];
    let found: string | undefined;
    for (const c of entry.candidates) {
      const name = String(renderValue(c, vars, entry.loc, tmpl));
      const p = isAbsolute(name) ? name : join(entry.dir, name);
      tried.push(p);
      if (isFile(p)) {
        found = p;
        break;
      }
    }
    if (!found)
      throw new InputError(
        `vars_files: none of ${entry.candidates.map((c) => `"${c}"`).join(', ')} was found`,
        entry.loc,
        `looked for: ${tried.join(', ')}`,
      );
    const yf = readYaml(found);
    if (yf.value === null || yf.value === undefined) continue;
    if (typeof yf.value !== 'object' || Array.isArray(yf.value))
      throw new InputError('a vars file must be a mapping of variables', yf.locOf([]));
    Object.assign(extra, yf.value);
  }
  for (const s of revealedSecrets()) tmpl.secrets.add(s);
  return { ...play, vars: { ...play.vars, ...extra } };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
