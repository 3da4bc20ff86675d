import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { becomeCommand, becomeStdin, PASSWORD_REFUSED, setBecomePassword } from './become.js';

/**
 * A stand-in sudo: `-n` succeeds only when NOPASSWD=1; `-S` reads the password from stdin like
 * sudo: up to 3 attempts, one line each, "Sorry, try again." between them.
 */
function fakeSudo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-sudo-'));
  writeFileSync(
    join(dir, 'sudo'),
    [
      '#!/bin/bash',
      'n=0; while [[ $1 == -* ]]; do case $1 in -n) n=1 ;; -p) shift ;; --) shift; break ;; esac; shift; done',
      'if (( n )); then [ "$NOPASSWD" = 1 ] || exit 1; exec "$@"; fi',
      'for i in 1 2 3; do IFS= read -r pw || break; [ "$pw" = "pa ss\'w\\"d" ] && exec "$@"; echo "Sorry, try again." >&2; done',
      'echo "sudo: 3 incorrect password attempts" >&2; exit 1',
    ].join('\n'),
  );
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

  it('a wrong password is reported as refused and no script line is tried as a password', () => {
    setBecomePassword('wrong-pw');
    const cmd = becomeCommand(true, false);
    const r = run(cmd, becomeStdin(cmd, `pa ss'w"d\necho script ran\n`), { PATH });
    assert.equal(r.code, 1);
    assert.ok(r.err.includes(PASSWORD_REFUSED), r.err);
    assert.equal(r.out, '', 'the script must not run');
    assert.ok(!r.err.includes('wrong-pw'));
  });

  it('as root or without become nothing changes', () => {
    assert.equal(becomeCommand(true, true), 'bash -s');
    assert.equal(becomeCommand(false, false), 'bash -s');
  });
});
