import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `ansible_connection: local` with become and -K: a non-root user (nobody, through setpriv)
 * runs a script through LocalConnection; a stand-in sudo on PATH takes the password from
 * stdin like sudo -S. Needs root (to switch users).
 */
const skip = process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv') ? 'needs root and setpriv' : false;

function fakeSudo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-lsudo-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'sudo'),
    [
      '#!/bin/bash',
      'n=0; while [[ $1 == -* ]]; do case $1 in -n) n=1 ;; -p) shift ;; --) shift; break ;; esac; shift; done',
      'if (( n )); then [ "$NOPASSWD" = 1 ] || { echo "sudo: a password is required" >&2; exit 1; }; exec "$@"; fi',
      'IFS= read -r pw',
      '[ "$pw" = "s3cret pw" ] || { echo "sudo: 1 incorrect password attempt" >&2; exit 1; }',
      'SUDO_OK=1 exec "$@"',
    ].join('\n'),
  );
  chmodSync(join(dir, 'sudo'), 0o755);
  return dir;
}

/** Runs one become script as nobody through LocalConnection, with the given become password. */
function runAsNobody(password: string | undefined, env: Record<string, string> = {}): { out: string; err: string; code: number | null } {
  const dir = fakeSudo();
  const url = (f: string) => new URL(f, import.meta.url).href;
  const code = [
    `const { LocalConnection } = await import(${JSON.stringify(url('./local.js'))});`,
    `const { setBecomePassword } = await import(${JSON.stringify(url('./become.js'))});`,
    `setBecomePassword(${password === undefined ? 'undefined' : JSON.stringify(password)});`,
    'const out = [];',
    "const r = await new LocalConnection('localhost').runScript('echo \"as sudo: ${SUDO_OK:-no}\"; read -r x || echo end-of-script\\n', { become: true, onStdout: (b) => out.push(b) });",
    "process.stdout.write(Buffer.concat(out).toString() + 'code=' + r.code + '\\n' + r.stderr);",
  ].join('\n');
  const r = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', code],
    {
      encoding: 'utf8',
      cwd: '/',
      env: { PATH: `${dir}:/usr/bin:/bin`, ...env },
    },
  );
  return { out: r.stdout, err: r.stderr, code: r.status };
}

test('local connection with -K: sudo gets the password on stdin and the script runs under it', { skip }, () => {
  const r = runAsNobody('s3cret pw');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^as sudo: 1\nend-of-script\ncode=0\n/);
  assert.ok(!r.out.includes('s3cret'), 'the password is not in the output');
});

test('local connection with a wrong -K password fails saying it was refused; without -K it uses sudo -n', { skip }, () => {
  const bad = runAsNobody('wrong');
  assert.match(bad.out, /code=1\nchom-play: sudo refused the become password/);
  const none = runAsNobody(undefined);
  assert.match(none.out, /code=1\nsudo: a password is required/);
  const nopasswd = runAsNobody(undefined, { NOPASSWD: '1' });
  assert.match(nopasswd.out, /^as sudo: no\nend-of-script\ncode=0/);
});
