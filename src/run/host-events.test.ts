import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventParser, type ScriptEvent } from '../shell/events.js';
import type { ScriptTask } from '../shell/script.js';
import { hideRemoved, initialState, reduceEvent, type EventContext, type HostEventState, type HostOutput } from './host-events.js';
import { emptyStats } from './stats.js';

/** Event streams recorded from real scripts (bash on this machine; see the names). */
const fixtures = fileURLToPath(new URL('../../../src/run/fixtures/', import.meta.url));

function task(id: number, name: string, extra: Partial<ScriptTask> = {}): ScriptTask {
  return { id, name, loc: { file: 'pb.yml', line: id + 3, col: 7 }, body: 'true', notify: [], ignoreErrors: false, noLog: false, ...extra };
}

/** The playbook the streams were recorded from: 7 tasks (5 ignores errors) and one handler. */
const cx: EventContext = {
  host: 'rec',
  playIndex: 0,
  tasks: new Map<number, { t: ScriptTask; handler: boolean }>(
    [
      task(1, 'make a dir'),
      task(2, 'write a file'),
      task(3, 'already there'),
      task(4, 'skipped one'),
      task(5, 'ignored failure', { ignoreErrors: true }),
      task(6, 'real failure'),
      task(7, 'never reached'),
    ]
      .map((t): [number, { t: ScriptTask; handler: boolean }] => [t.id, { t, handler: false }])
      .concat([[100000, { t: task(100000, 'said hello'), handler: true }]]),
  ),
  redact: (s) => s.replace(/boom/g, '********'),
  secretBearing: () => false,
};

function replay(file: string): { st: HostEventState; outputs: HostOutput[] } {
  const text = readFileSync(fixtures + file, 'utf8');
  const marker = text.slice(0, text.indexOf(' '));
  let st = initialState(emptyStats());
  const outputs: HostOutput[] = [];
  const parser = new EventParser(marker, (e: ScriptEvent) => {
    const [next, out] = reduceEvent(cx, st, e);
    st = next;
    outputs.push(...out);
  });
  parser.push(text);
  parser.end();
  return { st, outputs };
}

test('a run with changes, a skip, an ignored and a real failure counts like Ansible and records each task', () => {
  const { st, outputs } = replay('failed-run.events');
  assert.deepEqual(st.stats, { ...emptyStats(), ok: 3, changed: 2, skipped: 1, ignored: 1, failed: 1 });
  assert.equal(st.ended, true);
  assert.equal(st.failed, true);
  assert.equal(st.lastClass, 'other');
  assert.deepEqual(
    st.records.map((t) => `${t.id}:${t.status}${t.ignored ? ':ignored' : ''}`),
    ['1:changed', '2:changed', '3:ok', '4:skipped', '5:failed:ignored', '6:failed'],
  );
  assert.equal(st.records[5].loc, 'pb.yml:9:7');
  const results = outputs.filter((o) => o.k === 'result');
  assert.equal(results.length, 6);
  const starts = outputs.filter((o) => o.k === 'taskStart').map((o) => (o.k === 'taskStart' ? o.name : ''));
  assert.deepEqual(starts, ['make a dir', 'write a file', 'already there', 'ignored failure', 'real failure']);
  const last = results.at(-1);
  assert.ok(last?.k === 'result' && last.result.output?.includes('********') && !last.result.output.includes('boom'), 'output is redacted');
});

test('a host whose lock is held is refused with who holds it, and nothing is counted', () => {
  const { st } = replay('locked.events');
  assert.equal(st.refused?.class, 'lock-held');
  assert.match(st.refused?.message ?? '', /LOCKED: run other-run by alice from laptop/);
  assert.deepEqual(st.stats, emptyStats());
  assert.equal(st.ended, false);
});

test('a stop asked before the first task ends the stream quietly, with the reason kept', () => {
  const { st, outputs } = replay('stopped.events');
  assert.equal(st.stopped?.reason, 'stop-requested');
  assert.equal(st.ended, true);
  assert.equal(st.records.length, 0);
  assert.deepEqual(outputs, []);
});

test('the reducer never changes the state it is given', () => {
  const st0 = initialState(emptyStats());
  const frozen = JSON.stringify(st0);
  reduceEvent(cx, st0, { t: 'task', id: 1, status: 'changed', rc: 0, ms: 1, msg: '', diff: '', output: '' } as ScriptEvent);
  assert.equal(JSON.stringify(st0), frozen);
});

test('a diff of a file written from secrets shows no old line (a rotated secret), only labels, new and context lines', () => {
  const diff = '--- /etc/app.env (before)\n+++ /etc/app.env (after)\n@@ -1,2 +1,2 @@\n-password=OLDVALUE\n+password=********\n user=app\n';
  assert.equal(
    hideRemoved(diff),
    '--- /etc/app.env (before)\n+++ /etc/app.env (after)\n@@ -1,2 +1,2 @@\n-[old line not shown: this file is written from secrets]\n+password=********\n user=app\n',
  );
});

test('a journal replay is summed up by the reducer: which run, what was undone, kept, skipped or failed', () => {
  const events: ScriptEvent[] = [
    { t: 'rollback', runId: 'R1', steps: 3, check: false },
    { t: 'undo', task: 2, op: 'restore', path: '/etc/boom.conf', status: 'undone', msg: 'restored /etc/boom.conf' },
    { t: 'undo', task: 1, op: 'rmdir', path: '/srv/d', status: 'kept', msg: 'kept /srv/d: not empty' },
    { t: 'rollback_end', undone: 1, kept: 1, skipped: 1, failed: 0, ms: 5 },
  ];
  let st = initialState(emptyStats());
  const outputs: HostOutput[] = [];
  for (const e of events) {
    const [next, out] = reduceEvent(cx, st, e);
    st = next;
    outputs.push(...out);
  }
  assert.deepEqual(st.rollback, { runId: 'R1', steps: 3, check: false, ended: true, undone: 1, kept: 1, skipped: 1, failed: 0 });
  const undo = outputs.filter((o) => o.k === 'undo');
  assert.equal(undo.length, 2);
  // Step messages go through the redactor like task output does.
  assert.deepEqual(undo[0], {
    k: 'undo',
    step: { task: 2, op: 'restore', path: '/etc/********.conf', status: 'undone', msg: 'restored /etc/********.conf' },
  });
  assert.equal(st.records.length, 0, 'undo steps are not task records');
});
