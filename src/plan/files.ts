import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { InputError, type SourceLoc } from '../errors.js';
import type { Playbook, RoleInstance } from '../playbook/model.js';

/**
 * Where `template: src=` and `copy: src=` files are looked up, in order (as Ansible does):
 * the role's templates/ (or files/), the role dir, the project's templates/ (or files/),
 * the playbook's directory. Absolute paths are used as they are.
 */
export function findSourceFile(
  kind: 'templates' | 'files',
  src: string,
  pb: Playbook,
  role: RoleInstance | undefined,
  loc: SourceLoc,
): string {
  if (isAbsolute(src)) {
    if (existsSync(src)) return src;
    throw new InputError(`${kind === 'templates' ? 'template' : 'file'} ${src} does not exist`, loc);
  }
  const tried: string[] = [];
  const dirs = [...(role ? [join(role.dir, kind), role.dir] : []), join(pb.baseDir, kind), join(pb.file, '..'), pb.baseDir];
  for (const d of dirs) {
    const p = join(d, src);
    tried.push(p);
    if (existsSync(p)) return p;
  }
  throw new InputError(
    `cannot find ${kind === 'templates' ? 'template' : 'file'} "${src}"`,
    loc,
    `looked in: ${[...new Set(tried)].join(', ')}`,
  );
}
