/**
 * Test helpers for the system modules (user, group, apt, systemd, command, shell, get_url):
 * compile a module, check the bash parses, and run a compiled body with the real prelude.
 */
import { spawnSync } from 'node:child_process';
import type { ModuleDef } from '../../src/modules/types.js';

export const CTX = { taskId: 1, taskName: 'test task', loc: { file: 'test.yml', line: 1, col: 1 } };

export function compileWith(mod: ModuleDef, args: Record<string, unknown>): string {
  return mod.compile(args, CTX);
}

/** bash -n on the body wrapped in a function, as the script builder does. Returns bash's complaint or ''. */
export function syntaxError(body: string): string {
  const r = spawnSync('bash', ['-n'], { input: `chom_task_1() {\n${body}}\n`, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr || `bash -n exited ${r.status}`;
}

/** Strings that break naive quoting: every one must reach the host byte-exact and never run. */
export const EVIL = [
  `it's`,
  `"double" \\ back\\slash`,
  '$(touch /tmp/chom-pwned)',
  '`touch /tmp/chom-pwned`',
  '${HOME} $PATH $1 $@',
  'line1\nline2',
  '-rf --help',
  '; rm -rf / #',
  '* ? [a-z] ~root',
  'ünïcødé ✓ 日本',
  "'\"'\"'",
  ' leading and trailing ',
  '!!',
];
