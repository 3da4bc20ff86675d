/** Shared helpers for end-to-end tests: run the real CLI, copy fixtures, snapshot host trees. */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostExec, type Lab } from '../../src/lab/index.js';

/** dist/test/e2e/harness.js -> the repository root. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cli = join(repoRoot, 'bin', 'chom-play');

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
export const skipUnlessRoot = isRoot ? false : 'needs root (the lab mounts filesystems and creates network namespaces)';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/chom-play as a user would (no TTY), in `cwd`. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A fresh copy of test/fixtures/NAME in a temp dir (runs write .chom/ and .env there). */
export function fixtureProject(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `chom-${name}-`));
  cpSync(join(repoRoot, 'test', 'fixtures', name), dir, { recursive: true });
  return dir;
}

/** JSON events printed by `--output json`. */
export function jsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** "host|task name" of every task event with the given status. */
export function tasksWithStatus(stdout: string, status: string): string[] {
  return jsonEvents(stdout)
    .filter((e) => e.event === 'task' && e.status === status)
    .map((e) => `${e.host}|${e.name}`)
    .sort();
}

export function recap(stdout: string): Record<string, Record<string, number>> {
  const r = jsonEvents(stdout).find((e) => e.event === 'recap');
  return (r?.hosts ?? {}) as Record<string, Record<string, number>>;
}

/**
 * A hash of everything a playbook may change on a host: paths, modes, owners, sizes and
 * content hashes under the managed trees, plus users, groups and installed packages.
 * Logs, /run and /tmp are left out (sshd and journald write there on every login).
 */
export async function treeHash(lab: Lab, host: string): Promise<string> {
  const cmd = [
    'cd / && find etc srv opt usr/local root home var/lib/dpkg var/backups var/lib/chom-play -xdev',
    "\\( -path 'etc/ld.so.cache' -o -path 'root/.bash_history' \\) -prune -o",
    "-printf '%p %M %u %g %s %l\\n' 2>/dev/null | sort | sha256sum;",
    'find etc srv opt usr/local home var/lib/chom-play -xdev -type f 2>/dev/null | sort | xargs -r sha256sum | sha256sum;',
    'getent passwd | sha256sum; getent group | sha256sum',
  ].join(' ');
  const r = await hostExec(lab, host, cmd);
  if (r.code !== 0) throw new Error(`treeHash on ${host} failed: ${r.stderr}`);
  return r.stdout;
}
