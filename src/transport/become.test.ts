import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { becomeCommand, becomeStdin, setBecomePassword } from './become.js';

/** A stand-in sudo: `-n` succeeds only when NOPASSWD=1; `-S` reads the password from stdin like sudo. */
function fakeSudo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-sudo-'));
  writeFileSync(join(dir, 'sudo'), [
    '#!/bin/bash',
    'if [ "$1" = -n ]; then [ "$NOPASSWD" = 1 ] || exit 1; shift; [ "$1" = -- ] && shift; exec "$@"; fi',
    'IFS= read -r pw',
    '[ "$pw" = "pa ss\'w\\"d" ] || { echo "sudo: incorrect password" >&2; exit 1; }',
    'shift 3; [ "$1" = -- ] && shift; exec "$@"',
  ].join('\n'));
  chmodSync(join(dir, 'sudo'), 0o755);
  return dir;
}

function run(cmd: string, stdin: string, env: Record<string, string>): { out: string; err: string; code: number | null } {
  // The remote command is one string for `ssh exec`; a local bash plays sshd's shell.
  const r = spawnSync('bash', ['-c', cmd], { input: stdin, encoding: 'utf8', env: { ...process.env, ...env } });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

describe('become password over stdin', () => {
  const dir = fakeSudo();
  const PATH = `${dir}:${process.env.PATH}`;
  after(() => setBecomePassword(undefined));

  it('without a password the command is the plain sudo -n one and stdin is the script', () => {
    setBecomePassword(undefined);
    const cmd = becomeCommand(true, false);
    assert.equal(cmd, 'sudo -n -- bash -s');
    assert.equal(becomeStdin(cmd, 'echo hi\n'), 'echo hi\n');
  });

  it('the password is the first stdin line, never in the command; sudo -S gets it and bash the rest', () => {
    setBecomePassword(`pa ss'w"d`);
    const cmd = becomeCommand(true, false);
    assert.ok(!cmd.includes('pa ss'));
    const r = run(cmd, becomeStdin(cmd, 'echo "script ran"; read -r x || echo "stdin ends with the script"\n'), { PATH });
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'script ran\nstdin ends with the script\n');
  });

  it('when sudo needs no password the line is dropped, not run as a command', () => {
    const cmd = becomeCommand(true, false);
    const r = run(cmd, becomeStdin(cmd, 'echo only-this\n'), { PATH, NOPASSWD: '1' });
    assert.equal(r.out, 'only-this\n', r.err);
    assert.ok(!r.err.includes('pa ss'));
  });

  it('as root or without become nothing changes', () => {
    assert.equal(becomeCommand(true, true), 'bash -s');
    assert.equal(becomeCommand(false, false), 'bash -s');
  });
});
