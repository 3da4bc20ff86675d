/**
 * The README's main command, exactly as written (minus the `npm ci` the test run already did):
 * the reference playbook against this machine in check mode must work and change nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runCli, skipUnlessRoot } from './harness.js';

const MAIN = 'npm ci && ./bin/chom-play playbooks/site.yml -i inventory/local --check --diff';

/** Paths a run of site.yml would touch, with mode, size and mtime: any change shows. */
function snapshot(): string {
  return execFileSync(
    'bash',
    [
      '-c',
      'find /etc /srv /opt /usr/local /var/lib/prometheus /var/www -xdev -printf "%p %m %s %T@\\n" 2>/dev/null | grep -v -e "^/etc/mtab" | sort | sha256sum',
    ],
    { encoding: 'utf8' },
  );
}

test('the README shows the main command as its first command', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const first = /```sh\n([^\n]+)\n```/.exec(readme);
  assert.equal(first?.[1], MAIN);
});

test(
  'the main command (site.yml against inventory/local, --check --diff) works and changes nothing',
  { skip: skipUnlessRoot },
  async () => {
    const before = snapshot();
    const r = await runCli(MAIN.replace('npm ci && ./bin/chom-play ', '').split(' '), repoRoot);
    assert.equal(r.code, 0, r.stdout.slice(-3000) + r.stderr);
    assert.match(r.stdout, /check mode: nothing will be changed/);
    assert.match(r.stdout, /localhost\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0/);
    assert.match(r.stdout, /^\s+\+\+\+ /m, 'expected diffs of the files it would write');
    assert.equal(snapshot(), before);
  },
);
