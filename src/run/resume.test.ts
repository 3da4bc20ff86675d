import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadPlaybook } from '../playbook/index.js';
import type { HostPlan } from '../plan/plan.js';
import type { ScriptTask } from '../shell/script.js';
import type { RunRecord } from './history.js';
import { applyResume, RESUME_NOTIFY_ID, type PlannedPlay } from './resume.js';
import { parseJournal } from './resume-journal.js';
import { emptyStats } from './stats.js';

const dir = mkdtempSync(join(tmpdir(), 'chom-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'pb.yml'), '- hosts: all\n  tasks:\n    - command: "true"\n');
const play = loadPlaybook(join(dir, 'pb.yml')).plays[0];

const HANDLER = 100000;
function task(id: number, notify: number[] = []): ScriptTask {
  return { id, name: `t${id}`, loc: { file: 'pb.yml', line: id + 3, col: 7 }, body: 'true', notify, ignoreErrors: false, noLog: false };
}
function planned(): PlannedPlay[] {
  const plan: HostPlan = {
    host: 'h',
    tasks: [1, 2, 3, 4, 5].map((i) => task(i, i === 3 ? [HANDLER] : [])),
    handlers: [task(HANDLER)],
    become: false,
    loginUser: 'root',
    minDiskFreeMb: 512,
    rollbackOnFailure: false,
    uploads: [],
  };
  return [{ play, plans: new Map([['h', plan]]) }];
}
/** The controller saw task 1 complete, then lost the host (resume at task 2). */
const prev: RunRecord = {
  version: 1,
  id: 'R1',
  status: 'failed',
  pid: 1,
  user: 'u',
  machine: 'm',
  startedAt: '',
  check: false,
  projectDir: dir,
  playbook: { file: 'pb.yml', sha256: '' },
  files: [],
  inventory: { path: '', files: [] },
  argv: [],
  facts: {},
  hosts: {
    h: {
      status: 'unreachable',
      stats: emptyStats(),
      ms: 0,
      tasks: [{ play: 0, id: 1, name: 't1', loc: 'pb.yml:4:7', status: 'ok', ms: 1 }],
      resumeAt: { play: 0, id: 2, name: 't2', loc: 'pb.yml:5:7' },
    },
  },
};

test('the host journal is read for its run only; a torn last line is skipped', () => {
  const text = [
    '{"run":"R0","task":9,"time":1,"op":"stop","path":"old","undo":"none"}',
    '{"run":"R1","task":3,"time":2,"op":"create","path":"/srv/a","undo":"delete"}',
    '{"run":"R1","task":4,"time":3,"op":"stop","path":"controller silent for 31 s","undo":"none"}',
    '{"run":"R1","task":5,"ti',
  ].join('\n');
  const j = parseJournal(text, 'R1');
  assert.equal(j.stoppedBefore, 4);
  assert.equal(j.stopWhy, 'controller silent for 31 s');
  assert.deepEqual([...j.changed], [3]);
});

test('--resume without the journal starts at the first task the controller did not see complete', () => {
  const plays = planned();
  applyResume(plays, prev);
  assert.deepEqual(
    plays[0].plans.get('h')!.tasks.map((t) => t.id),
    [2, 3, 4, 5],
  );
});

test("--resume starts where the host's journal says it stopped after a partition, and re-notifies the handler of a task that changed meanwhile", () => {
  const plays = planned();
  const notes = new Map<string, string>();
  const journal = parseJournal(
    '{"run":"R1","task":3,"time":2,"op":"create","path":"/srv/a","undo":"delete"}\n{"run":"R1","task":4,"time":3,"op":"stop","path":"controller silent","undo":"none"}\n',
    'R1',
  );
  applyResume(plays, prev, new Map([['h', journal]]), notes);
  const tasks = plays[0].plans.get('h')!.tasks;
  assert.deepEqual(
    tasks.map((t) => t.id),
    [RESUME_NOTIFY_ID, 4, 5],
  );
  assert.deepEqual(tasks[0].notify, [HANDLER]);
  assert.match(notes.get('h') ?? '', /before "t4"/);
});

test('a journal that stops no later than the run record knows is ignored', () => {
  const plays = planned();
  applyResume(plays, prev, new Map([['h', parseJournal('{"run":"R1","task":2,"time":3,"op":"stop","path":"x","undo":"none"}\n', 'R1')]]));
  assert.deepEqual(
    plays[0].plans.get('h')!.tasks.map((t) => t.id),
    [2, 3, 4, 5],
  );
});
