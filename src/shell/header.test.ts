import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRollbackScript } from '../journal/rollback-script.js';
import { buildScript, type ScriptTask } from './script.js';

const t = (id: number, extra: Partial<ScriptTask> = {}): ScriptTask => ({
  id,
  name: `t${id}`,
  loc: { file: 'p.yml', line: id, col: 1 },
  body: 'chom_ok x',
  notify: [],
  ignoreErrors: false,
  noLog: false,
  ...extra,
});

describe('script header and task calls read on their own', () => {
  it('the header says how the script is run, on one comment line', () => {
    const s = buildScript({
      host: 'web1',
      runId: 'r1',
      marker: 'M1234567',
      check: false,
      diff: false,
      tasks: [t(1)],
      handlers: [],
      runAs: 'login user deploy, become: sudo -n -- bash -s',
    });
    assert.match(s, /^# runs as: login user deploy, become: sudo -n -- bash -s$/m);
    const rb = buildRollbackScript({
      host: 'h',
      rollbackId: 'rb1',
      marker: 'M1234567',
      check: false,
      rollbackPackages: false,
      runAs: 'login user root\nx',
    });
    assert.match(rb, /^# runs as: login user root x$/m);
  });

  it('run and rollback scripts share one header: same settings lines, same start event', () => {
    const run = buildScript({
      host: 'h',
      runId: 'r1',
      marker: 'M1234567',
      check: true,
      diff: false,
      tasks: [],
      handlers: [],
      user: 'u',
      machine: 'm',
    });
    const rb = buildRollbackScript({
      host: 'h',
      rollbackId: 'rb1',
      marker: 'M1234567',
      runId: 'r1',
      check: true,
      rollbackPackages: false,
      user: 'u',
      machine: 'm',
    });
    const common = (s: string) => s.split('\n').filter((l) => /^(set |umask |export |CHOM_(HOST|MARKER|CHECK|USER|MACHINE)=)/.test(l));
    assert.deepEqual(common(run), common(rb));
    assert.match(rb, /chom__emit '\{"t":"start","host":"h","run_id":"r1","check":true,"diff":false\}'/);
  });

  it('a task call names only its settings that differ from the defaults', () => {
    const s = buildScript({
      host: 'h',
      runId: 'r1',
      marker: 'M1234567',
      check: false,
      diff: false,
      taskTimeout: 30,
      handlers: [t(100)],
      tasks: [
        t(1),
        t(2, {
          when: 'true',
          register: 'out',
          ignoreErrors: true,
          noLog: true,
          timeout: 5,
          attempts: 3,
          delay: 2,
          until: 'true',
          notify: [100],
          changedWhen: 'false',
          failedWhen: 'false',
        }),
      ],
    });
    assert.match(s, /^ {2}chom__run id=1 \|\| /m);
    assert.match(
      s,
      /^ {2}chom__run id=2 when=chom_when_2 changed_when=chom_changed_when_2 failed_when=chom_failed_when_2 register=out no_log=1 ignore_errors=1 timeout=5 attempts=3 delay=2 until=chom_until_2 notify=100 \|\| /m,
    );
    assert.match(s, /^CHOM_TASK_TIMEOUT=30$/m);
  });
});
