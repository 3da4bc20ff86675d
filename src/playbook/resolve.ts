import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { isFile } from './context.js';

/**
 * The playbook a user named: as given (relative to cwd), else under playbooks/, trying the
 * .yml/.yaml extension when none was typed (`chom-play site` -> playbooks/site.yml).
 */
export function resolvePlaybookPath(arg: string, cwd: string): string {
  const names = /\.ya?ml$/.test(arg) ? [arg] : [arg, `${arg}.yml`, `${arg}.yaml`];
  const dirs = isAbsolute(arg) ? [''] : [cwd, join(cwd, 'playbooks')];
  const tried: string[] = [];
  for (const d of dirs) {
    for (const n of names) {
      const p = d === '' ? n : resolve(d, n);
      if (tried.includes(p)) continue;
      tried.push(p);
      if (isFile(p)) return p;
    }
  }
  throw new InputError(`playbook "${arg}" not found`, undefined, `looked for: ${tried.join(', ')}`);
}
