import { homedir } from 'node:os';
import { join } from 'node:path';
import { activeConfig } from './index.js';

/**
 * Where Ansible looks for a role after roles/ beside the playbook: roles_path (ansible.cfg or
 * ANSIBLE_ROLES_PATH), else its default ~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles.
 */
export function rolesPath(): string[] {
  const env = process.env.ANSIBLE_ROLES_PATH;
  if (env) return env.split(':').filter(Boolean).map(tilde);
  return activeConfig()?.values.roles_path ?? [join(homedir(), '.ansible', 'roles'), '/usr/share/ansible/roles', '/etc/ansible/roles'];
}

/** collections_path(s), else Ansible's default ~/.ansible/collections:/usr/share/ansible/collections. */
export function collectionsPaths(): string[] {
  const env = process.env.ANSIBLE_COLLECTIONS_PATH ?? process.env.ANSIBLE_COLLECTIONS_PATHS;
  if (env) return env.split(':').filter(Boolean).map(tilde);
  return activeConfig()?.values.collections_paths ?? [join(homedir(), '.ansible', 'collections'), '/usr/share/ansible/collections'];
}

/**
 * `namespace.collection.role` -> the role directories to try, in order: collections/ beside the
 * playbook first (as Ansible), then each collections path. A path may name the
 * ansible_collections directory itself or its parent.
 */
export function collectionRoleDirs(name: string, playbookDir: string): string[] | undefined {
  const m = /^([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_.-]+)$/.exec(name);
  if (!m) return undefined;
  const [, ns, coll, role] = m;
  const bases = [join(playbookDir, 'collections'), ...collectionsPaths()];
  return bases.map((b) =>
    b.endsWith('ansible_collections') ? join(b, ns, coll, 'roles', role) : join(b, 'ansible_collections', ns, coll, 'roles', role),
  );
}

function tilde(p: string): string {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}
