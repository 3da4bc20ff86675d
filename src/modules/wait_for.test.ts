import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import waitFor from './wait_for.js';
import { compileWith, syntaxError } from '../../test/system-modules/harness.js';
import { runTasks } from '../../test/system-modules/run.js';

test('wait_for compiles to valid bash and refuses a bad port or host', () => {
  for (const a of [
    { port: 22 },
    { port: '80', state: 'stopped', timeout: 5, delay: 1, sleep: 0.5 },
    { host: '::1', port: 9100, state: 'open' },
  ]) {
    assert.equal(syntaxError(compileWith(waitFor, a)), '', JSON.stringify(a));
  }
  assert.throws(() => compileWith(waitFor, { port: 70000 }), /not a TCP port/);
  assert.throws(() => compileWith(waitFor, { port: 22, host: '$(reboot)' }), /not a host name/);
});

test('wait_for sees a port open, fails on a closed one after its timeout, and never fails in check mode', async () => {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const open = (srv.address() as { port: number }).port;
  const closed = await new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
  try {
    const t0 = Date.now();
    const [a, b, c] = await runTasks([
      [waitFor, { port: open, timeout: 3 }],
      [waitFor, { port: closed, timeout: 2, sleep: 0.5 }],
      [waitFor, { port: closed, state: 'stopped', timeout: 2 }],
    ]);
    assert.equal(a.status, 'ok');
    assert.equal(b.status, 'failed');
    assert.match(b.msg, new RegExp(`port 127.0.0.1:${closed} was not open after 2s`));
    assert.equal(c.status, 'ok');
    assert.ok(Date.now() - t0 < 8000);
    const [d] = await runTasks([[waitFor, { port: closed, timeout: 30 }]], { check: true });
    assert.equal(d.status, 'ok');
    assert.match(d.msg, /check mode: would wait up to 30s/);
  } finally {
    srv.close();
  }
});
