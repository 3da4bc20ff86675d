/** Helpers for the playbook tests: a small fake module registry and temp project trees. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModuleDef } from '../modules/types.js';
import { registryOf, type ModuleRegistry } from './registry.js';

const compile = (): string => ':';

function mod(name: string, properties: Record<string, unknown>, extra: Partial<ModuleDef> & { required?: string[] } = {}): ModuleDef {
  const { required, ...rest } = extra;
  return { name, schema: { type: 'object', properties, additionalProperties: false, ...(required ? { required } : {}) }, compile, ...rest };
}

const str = { type: 'string' };
const strOrList = { type: ['string', 'array'], items: { type: 'string' } };

/** Modules shaped like the real ones (Ansible argument names), enough to exercise the loader. */
export function fakeModules(): ModuleRegistry {
  return registryOf([
    mod('apt', {
      name: strOrList,
      state: { type: 'string', enum: ['present', 'absent', 'latest'] },
      update_cache: { type: 'boolean' },
      cache_valid_time: { type: 'integer' },
    }),
    mod('command', { cmd: str, creates: str, removes: str, chdir: str }, { freeForm: 'cmd', required: ['cmd'] }),
    mod('shell', { cmd: str, creates: str, removes: str, chdir: str }, { freeForm: 'cmd', required: ['cmd'] }),
    mod('copy', { content: str, src: str, dest: str, mode: { type: ['string', 'integer'] }, owner: str }, { required: ['dest'] }),
    mod('template', { src: str, dest: str, mode: { type: ['string', 'integer'] } }, { required: ['src', 'dest'] }),
    mod(
      'file',
      {
        path: str,
        state: { type: 'string', enum: ['directory', 'file', 'absent', 'link', 'touch'] },
        mode: { type: ['string', 'integer'] },
      },
      { required: ['path'] },
    ),
    mod(
      'systemd',
      { name: str, state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'] }, enabled: { type: 'boolean' } },
      { aliases: ['service'], required: ['name'] },
    ),
  ]);
}

/** Writes `files` (relative path -> content) under a fresh temp dir; returns its path. */
export function makeTree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'chom-pb-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return root;
}

export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}
