import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hashTree, isRoot, runTasks, sandbox, task } from '../../test/modules/harness.js';
import copy from '../modules/copy.js';
import lineinfile from '../modules/lineinfile.js';
import file from '../modules/file.js';
import { buildScript } from './script.js';

const ctx = { taskId: 1, taskName: 't', loc: { file: 't.yml', line: 1, col: 1 } };
const skip = isRoot ? false : 'needs root';

describe('generated script', { skip }, () => {
  it('reports start, one event per task and end; when=false skips; register vars reach later tasks', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [
        task(1, 'echo "hello out"; echo "hello err" >&2; chom_rc 3', { register: 'first' }),
        task(2, 'chom_changed never', { when: '[[ ${chom_r_first_rc} -ne 3 ]]' }),
        task(3, 'printf "%s|%s|%s" "$chom_r_first_stdout" "$chom_r_first_stderr" "$chom_r_first_changed"', { register: 'second' }),
        task(4, 'chom_changed "saw $chom_r_second_stdout"', { when: '[[ ${chom_r_second_stdout} == *hello* ]]' }),
      ]);
      // a task that runs announces itself (begin) before its result; a skipped one does not
      assert.deepEqual(
        r.events.map((e) => e.t),
        ['start', 'begin', 'task', 'task', 'begin', 'task', 'begin', 'task', 'end'],
      );
      assert.deepEqual(
        r.tasks.map((t) => t.status),
        ['ok', 'skipped', 'ok', 'changed'],
      );
      assert.equal(r.tasks[0].rc, 3);
      assert.equal(r.tasks[3].msg, 'saw hello out|hello err|false');
      assert.equal(r.code, 0);
      assert.deepEqual(r.stray, [], 'task output never reaches the event stream');
    } finally {
      sb.cleanup();
    }
  });

  it('a failed task stops the host: later tasks and handlers do not run, exit code 2, output tail shown', () => {
    const sb = sandbox();
    try {
      const r = runTasks(
        sb,
        [task(1, 'chom_changed x', { notify: [100] }), task(2, 'echo boom >&2; false'), task(3, 'chom_changed never')],
        {
          handlers: [task(100, 'chom_changed handler')],
        },
      );
      assert.deepEqual(
        r.tasks.map((t) => [t.id, t.status]),
        [
          [1, 'changed'],
          [2, 'failed'],
        ],
      );
      assert.match(r.tasks[1].output, /boom/);
      assert.match(r.tasks[1].msg, /exit code 1: boom/);
      const end = r.events.at(-1);
      assert.ok(end?.t === 'end' && end.failed === 1);
      assert.equal(r.code, 2);
    } finally {
      sb.cleanup();
    }
  });

  it('ignore_errors continues; failed_when and changed_when decide the status from registered output', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [
        task(1, 'exit 4', { ignoreErrors: true }),
        task(2, 'echo "ALREADY EXISTS"; exit 1', {
          register: 'c',
          failedWhen: '[[ ${chom_r_c_rc} -ne 0 && ${chom_r_c_stdout} != *EXISTS* ]]',
          changedWhen: 'false',
        }),
        task(3, 'echo hi', { register: 'd', changedWhen: '[[ ${chom_r_d_stdout} == hi ]]' }),
        task(4, 'true', { failedWhen: '[[ ${chom_r_d_changed} == true ]]', ignoreErrors: true }),
      ]);
      assert.deepEqual(
        r.tasks.map((t) => t.status),
        ['failed', 'ok', 'changed', 'failed'],
      );
      assert.equal(r.tasks[3].msg, 'failed_when condition is true');
      const end = r.events.at(-1);
      assert.ok(end?.t === 'end' && end.ignored === 2 && end.failed === 0);
      assert.equal(r.code, 0);
    } finally {
      sb.cleanup();
    }
  });

  it('handlers run once, at the end, in definition order, only when notified by a changed task', () => {
    const sb = sandbox();
    try {
      const log = join(sb.root, 'log');
      const r = runTasks(
        sb,
        [
          task(1, `echo t1 >> ${log}; chom_changed c`, { notify: [101, 100] }),
          task(2, `echo t2 >> ${log}; chom_ok same`, { notify: [102] }),
          task(3, `echo t3 >> ${log}; chom_changed c`, { notify: [100] }),
        ],
        { handlers: [100, 101, 102].map((id) => task(id, `echo h${id} >> ${log}; chom_changed ran`)) },
      );
      assert.equal(readFileSync(log, 'utf8'), 't1\nt2\nt3\nh100\nh101\n');
      assert.deepEqual(
        r.tasks.map((t) => t.id),
        [1, 2, 3, 100, 101],
      );
    } finally {
      sb.cleanup();
    }
  });

  it('tasks read /dev/null, not the rest of the script piped into bash -s', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [task(1, 'x=$(cat); chom_ok "read ${#x} bytes"'), task(2, 'chom_changed second')]);
      assert.deepEqual(
        r.tasks.map((t) => [t.status, t.msg]),
        [
          ['ok', 'read 0 bytes'],
          ['changed', 'second'],
        ],
      );
    } finally {
      sb.cleanup();
    }
  });

  it('no_log hides message, diff and output but keeps the status', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [task(1, 'echo secret-value; chom_diff_note secret; chom_changed "set secret-value"', { noLog: true })], {
        diff: true,
      });
      assert.equal(r.tasks[0].status, 'changed');
      assert.equal(r.tasks[0].msg + r.tasks[0].diff + r.tasks[0].output, '');
    } finally {
      sb.cleanup();
    }
  });

  it('a task name with a newline stays inside its comment', () => {
    const sb = sandbox();
    try {
      const canary = join(sb.root, 'canary');
      const r = runTasks(sb, [task(1, 'chom_ok fine', { name: `evil\ntouch ${canary}\n# ` })]);
      assert.equal(r.tasks[0].status, 'ok');
      assert.equal(existsSync(canary), false);
    } finally {
      sb.cleanup();
    }
  });

  it('check mode changes nothing yet predicts a lineinfile on a file an earlier copy creates; the real run agrees; a second run is all ok', () => {
    const sb = sandbox();
    try {
      const conf = join(sb.root, 'etc/app/app.conf');
      writeFileSync(join(sb.root, 'keep'), 'k');
      const tasks = [
        task(1, file.compile({ path: join(sb.root, 'etc/app'), state: 'directory', mode: '0750' }, ctx)),
        task(2, copy.compile({ dest: conf, content: 'port = 8080\n', force: false }, ctx)),
        task(3, lineinfile.compile({ path: conf, regexp: '^port', line: 'port = 80' }, ctx)),
        task(4, lineinfile.compile({ path: conf, line: 'port = 80' }, ctx)),
        task(5, file.compile({ path: join(sb.root, 'keep'), state: 'absent' }, ctx)),
        task(6, copy.compile({ dest: join(sb.root, 'keep'), content: 'new', force: false }, ctx)),
      ];
      const before = hashTree(sb.root);
      const check = runTasks(sb, tasks, { check: true, diff: true });
      assert.equal(hashTree(sb.root), before, 'check mode changed the tree');
      assert.equal(readdirSync(sb.state).length, 0, 'check mode wrote backups or a journal');
      const predicted = check.tasks.map((t) => t.status);
      assert.deepEqual(predicted, ['changed', 'changed', 'changed', 'ok', 'changed', 'changed']);
      assert.match(check.tasks[2].diff, /-port = 8080\n\+port = 80/);
      const real = runTasks(sb, tasks);
      assert.deepEqual(
        real.tasks.map((t) => t.status),
        predicted,
      );
      assert.equal(readFileSync(conf, 'utf8'), 'port = 80\n');
      const again = runTasks(sb, tasks.slice(0, 4));
      assert.deepEqual(
        again.tasks.map((t) => t.status),
        ['ok', 'ok', 'ok', 'ok'],
      );
      const journal = readFileSync(join(sb.state, 'journal', readdirSync(join(sb.state, 'journal'))[0]), 'utf8');
      assert.match(journal, /"op":"create","path":"[^"]*app.conf","undo":"delete"/);
      assert.match(journal, /"op":"backup","path":"[^"]*keep","undo":"restore","backup":"[^"]+"/);
    } finally {
      sb.cleanup();
    }
  });

  it('refuses an unsafe marker or register name', () => {
    const base = { host: 'h', runId: 'r', check: false, diff: false, handlers: [] };
    assert.throws(() => buildScript({ ...base, marker: "x'; rm", tasks: [] }), /marker/);
    assert.throws(() => buildScript({ ...base, marker: 'MARKER1234', tasks: [task(1, ':', { register: 'a-b' })] }), /register/);
  });
});
