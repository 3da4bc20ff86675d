import type { ModuleDef } from '../modules/types.js';

/**
 * The modules the loader knows. An argument (not a hard import) so tests can load playbooks
 * against a small fake registry; index.ts passes the real one from src/modules/index.ts.
 */
export interface ModuleRegistry {
  /** Accepts `copy`, `ansible.builtin.copy`, `ansible.legacy.copy` and aliases. */
  get(name: string): ModuleDef | undefined;
  /** Every accepted name (canonical names and aliases), for did-you-mean. */
  names(): string[];
}

/** A registry over a fixed list of module definitions (used by tests and by index.ts). */
export function registryOf(defs: ModuleDef[]): ModuleRegistry {
  const byName = new Map<string, ModuleDef>();
  for (const m of defs) {
    byName.set(m.name, m);
    for (const a of m.aliases ?? []) byName.set(a, m);
  }
  return {
    get: (name) => byName.get(stripCollection(name)),
    names: () => [...byName.keys()],
  };
}

/** `ansible.builtin.copy` / `ansible.legacy.copy` -> `copy`. */
export function stripCollection(name: string): string {
  return name.replace(/^ansible\.(builtin|legacy)\./, '');
}
