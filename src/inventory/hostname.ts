import { join, relative, isAbsolute } from 'node:path';
import { InputError, type SourceLoc } from '../errors.js';

/**
 * Why a host name cannot be used, or undefined. As Ansible: a name is used as a file name
 * (host_vars/NAME.yml, facts write-back), so it may not hold "/" or NUL, be "." or "..", or
 * start with "-" (it would read as an option to the tools it is passed to).
 */
export function hostNameProblem(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL character';
  if (name.includes('/')) return 'contains "/"';
  if (name === '.' || name === '..') return `is "${name}"`;
  if (name.startsWith('-')) return 'starts with "-"';
  return undefined;
}

export function checkHostName(name: string, loc?: SourceLoc): void {
  const why = hostNameProblem(name);
  if (why) {
    throw new InputError(`invalid host name ${JSON.stringify(name)}: ${why}`, loc, 'host names are also file names (host_vars/NAME.yml): use letters, digits, "-", "_" and "." (not first "-", not "/" or "..")');
  }
}

/** dir/NAME+suffix, refusing any name that would put the file outside dir. */
export function confinedPath(dir: string, name: string, suffix = ''): string {
  const p = join(dir, name + suffix);
  const rel = relative(dir, p);
  if (hostNameProblem(name) || rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes('/')) {
    throw new InputError(`refusing to build a path from host name ${JSON.stringify(name)}: it would leave ${dir}`);
  }
  return p;
}
