import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyStats, exitCodeFor, recapLine } from './stats.js';

test('exit code: 0 when all fine, 2 when a task failed, 4 when a host was unreachable', () => {
  const ok = new Map([['a', emptyStats()]]);
  assert.equal(exitCodeFor(ok), 0);
  const failed = new Map([
    ['a', emptyStats()],
    ['b', { ...emptyStats(), failed: 1 }],
  ]);
  assert.equal(exitCodeFor(failed), 2);
  const unreachable = new Map([
    ['a', { ...emptyStats(), failed: 1 }],
    ['b', { ...emptyStats(), unreachable: 1 }],
  ]);
  assert.equal(exitCodeFor(unreachable), 4);
});

test("recap line follows Ansible's format", () => {
  assert.match(
    recapLine('web1', { ...emptyStats(), ok: 3, changed: 1 }, 6),
    /^web1 {3}: ok=3 +changed=1 +unreachable=0 +failed=0 +skipped=0/,
  );
});
