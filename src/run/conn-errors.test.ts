import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, classifyConnError, withRetry } from './conn-errors.js';

test('connection errors get a class and a what-to-do line; only transient ones are retryable', () => {
  assert.deepEqual(
    [
      'connection refused by root@h:22: is sshd running on that port?',
      'timed out after 10s connecting to root@h:22',
      'authentication failed for root@h:22: check',
      'host key of h has CHANGED',
      'cannot connect to root@h:22: read ECONNRESET',
      'no route to root@h:22',
    ].map((m) => {
      const p = classifyConnError(m);
      return `${p.class}:${p.transient}`;
    }),
    ['refused:true', 'connect-timeout:true', 'auth:false', 'host-key:false', 'reset:true', 'unreachable:false'],
  );
  assert.match(classifyConnError('connection lost during the run').todo, /--resume/);
});

test('a refused connection is retried with growing delays, then gives up after 3 tries', async () => {
  const delays: number[] = [];
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error('connection refused by root@h:22');
      },
      { tries: 3, baseMs: 1000, maxMs: 4000 },
      () => {},
      async (ms) => void delays.push(ms),
    ),
    /refused/,
  );
  assert.equal(calls, 3);
  assert.equal(delays.length, 2);
  assert.ok(delays[0] >= 500 && delays[0] <= 1500 && delays[1] >= 1000 && delays[1] <= 3000, delays.join(','));
});

test('authentication and host key failures are never retried; a later success is returned', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error('authentication failed for root@h:22');
      },
      { tries: 3, baseMs: 1, maxMs: 1 },
    ),
    /authentication/,
  );
  assert.equal(calls, 1);
  let n = 0;
  const v = await withRetry(
    async () => {
      if (++n < 2) throw new Error('timed out after 1s');
      return 'ok';
    },
    { tries: 3, baseMs: 1, maxMs: 1 },
    () => {},
    async () => {},
  );
  assert.equal(v, 'ok');
  assert.equal(
    backoffMs(5, { tries: 9, baseMs: 1000, maxMs: 4000 }, () => 0.5),
    4000,
  );
});
