import { test } from 'node:test';
import assert from 'node:assert/strict';
import systemd from './systemd.js';
import { ModuleArgError } from './types.js';
import { compileWith, syntaxError } from '../../test/system-modules/harness.js';

// Runs on a real systemd host: test/e2e/system-modules.test.ts. Here: what the compiler accepts and emits.

test('systemd compiles to valid bash for every state and flag', () => {
  const cases: Array<Record<string, unknown>> = [
    { name: 'cron', state: 'started', enabled: true },
    { name: 'cron', state: 'stopped', enabled: 'no' },
    { name: 'cron', state: 'restarted', daemon_reload: true, timeout: 5 },
    { name: 'cron.service', state: 'reloaded' },
    { name: 'cron', masked: true },
    { name: 'cron', masked: false, state: 'started' },
    { daemon_reload: true },
  ];
  for (const c of cases) assert.equal(syntaxError(compileWith(systemd, c)), '', JSON.stringify(c));
});

test('systemd is also known as service and systemd_service', () => {
  assert.deepEqual(systemd.aliases, ['service', 'systemd_service']);
});

test('systemd refuses a task that asks for nothing, or a unit name that is an option', () => {
  assert.throws(() => compileWith(systemd, { name: 'cron' }), /at least one/);
  assert.throws(() => compileWith(systemd, { state: 'started' }), ModuleArgError);
  assert.throws(() => compileWith(systemd, { name: '--all', state: 'started' }), ModuleArgError);
});

test('systemd fails clearly, without hanging, when systemd is not PID 1', async () => {
  // This machine has no systemd as PID 1: the guard must stop the task before systemctl runs.
  const { existsSync } = await import('node:fs');
  if (existsSync('/run/systemd/system')) return;
  const { runTask } = await import('../../test/system-modules/run.js');
  const r = await runTask(systemd, { name: 'cron', state: 'started' });
  assert.equal(r.status, 'failed');
  assert.match(r.stderr, /systemd is not running on this host \(PID 1 is .+\): cannot manage unit cron/);
});
