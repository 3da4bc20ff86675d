import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, runBash, sandbox, task, type RunResult, type Sandbox } from '../../test/modules/harness.js';
import { buildScript, type ScriptTask } from './script.js';

const skip = isRoot ? false : 'needs root (/run/chom-play)';

function run(sb: Sandbox, runId: string, tasks: ScriptTask[]): RunResult {
  const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
  return runBash(
    buildScript({ host: 't', runId, marker, check: false, diff: false, tasks, handlers: [], heartbeatTimeout: 2 }),
    marker,
    sb.state,
  );
}

describe('host side of the controller heartbeat', { skip }, () => {
  it('a controller silent past CHOM_HEARTBEAT_TIMEOUT stops the host at the next task boundary, journal and event say why', () => {
    const sb = sandbox();
    const runId = 'hb-' + randomBytes(4).toString('hex');
    const hb = `/run/chom-play/hb-${runId}`;
    mkdirSync('/run/chom-play', { recursive: true });
    try {
      // Task 1 plays the controller's last touch; then nothing touches it for 3 s (timeout 2 s).
      const r = run(sb, runId, [
        task(1, `touch ${hb}; chom_changed touched`),
        task(2, 'sleep 3; chom_ok slept'),
        task(3, `chom_changed never; touch ${sb.root}/ran3`),
      ]);
      assert.deepEqual(
        r.tasks.map((t) => [t.id, t.status]),
        [
          [1, 'changed'],
          [2, 'ok'],
        ],
      );
      assert.equal(existsSync(`${sb.root}/ran3`), false, 'task 3 ran after the controller fell silent');
      const stopped = r.events.filter((e) => e.t === 'stopped');
      assert.equal(stopped.length, 1);
      assert.ok(stopped[0].t === 'stopped' && stopped[0].reason === 'controller-silent');
      assert.match(stopped[0].msg, /controller silent for [0-9]+ s .*stopped before task 3/);
      const journal = readFileSync(join(sb.state, 'journal', `${runId}.jsonl`), 'utf8');
      assert.match(journal, /"op":"stop","path":"controller silent for [0-9]+ s[^"]*","undo":"none"/);
      assert.match(journal, /"task":3,/);
      assert.equal(r.events.at(-1)?.t, 'end');
    } finally {
      rmSync(hb, { force: true });
      sb.cleanup();
    }
  });

  it('a heartbeat kept alive, a stale one from before the script, or none at all never stops a run', () => {
    const sb = sandbox();
    const runId = 'hb-' + randomBytes(4).toString('hex');
    const hb = `/run/chom-play/hb-${runId}`;
    mkdirSync('/run/chom-play', { recursive: true });
    try {
      const body = 'sleep 2.5; chom_ok slept';
      // Alive: a background toucher (in the place of the controller) every 0.5 s.
      const alive = run(sb, runId, [
        task(1, `(for i in 1 2 3 4 5 6 7 8; do touch ${hb}; sleep 0.5; done) >/dev/null 2>&1 & chom_ok started`),
        task(2, body),
        task(3, 'chom_ok last'),
      ]);
      assert.deepEqual(
        alive.tasks.map((t) => t.status),
        ['ok', 'ok', 'ok'],
      );
      rmSync(hb, { force: true });
      // Stale: a file left from long ago, never touched while the script runs.
      const staleId = runId + 's';
      const r1 = run(sb, staleId, [
        task(1, `touch -d '-1 hour' /run/chom-play/hb-${staleId}; chom_ok x`),
        task(2, body),
        task(3, 'chom_ok last'),
      ]);
      rmSync(`/run/chom-play/hb-${staleId}`, { force: true });
      assert.deepEqual(
        r1.tasks.map((t) => t.status),
        ['ok', 'ok', 'ok'],
      );
      // None: a script run by hand.
      const r2 = run(sb, runId + 'n', [task(1, body), task(2, 'chom_ok last')]);
      assert.deepEqual(
        r2.tasks.map((t) => t.status),
        ['ok', 'ok'],
      );
      assert.equal(
        r2.events.some((e) => e.t === 'stopped'),
        false,
      );
    } finally {
      rmSync(hb, { force: true });
      sb.cleanup();
    }
  });
});
