import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, runBash, sandbox, task, type RunResult, type Sandbox } from '../../test/modules/harness.js';
import type { ScriptEvent } from '../shell/events.js';
import { buildScript, type ScriptTask } from '../shell/script.js';
import { buildRollbackScript } from './rollback-script.js';

const skip = isRoot ? false : 'needs root';

/** Names, kinds, modes, owners and contents under root (not times: a rollback rewrites them). */
function state(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p}\0${st.mode}\0${st.uid}\0${st.gid}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex');
}

function apply(sb: Sandbox, tasks: ScriptTask[], runId: string, rollbackOnFailure = false): RunResult {
  const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
  return runBash(
    buildScript({ host: 't', runId, marker, check: false, diff: false, tasks, handlers: [], rollbackOnFailure }),
    marker,
    sb.state,
  );
}

function rollback(sb: Sandbox, opts: { runId?: string; check?: boolean } = {}): RunResult {
  const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
  return runBash(
    buildRollbackScript({
      host: 't',
      rollbackId: 'rollback-1',
      marker,
      runId: opts.runId,
      check: opts.check ?? false,
      rollbackPackages: false,
    }),
    marker,
    sb.state,
  );
}

const undos = (r: RunResult) => r.events.filter((e): e is Extract<ScriptEvent, { t: 'undo' }> => e.t === 'undo');

describe('rollback replays the journal newest first', { skip }, () => {
  it('modified, created, removed, re-moded files, links and directories come back exactly; check mode changes nothing', () => {
    const sb = sandbox();
    try {
      const R = sb.root;
      mkdirSync(join(R, 'etc'));
      for (const f of ['a', 'b', 'c']) writeFileSync(join(R, 'etc', f), `old ${f}\n`, { mode: 0o640 });
      mkdirSync(join(R, 'old-tree/sub'), { recursive: true });
      writeFileSync(join(R, 'old-tree/sub/x'), 'x');
      const before = state(R);
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      const r = apply(
        sb,
        [
          task(1, `chom_put_content ${R}/etc/a ${b64('new a\n')} 0600 '' '' 0`),
          task(2, `chom_put_content ${R}/etc/a ${b64('newer a\n')} '' '' '' 0`),
          task(3, `chom_set_attrs ${R}/etc/b 0644 nobody ''`),
          task(4, `chom_mkdir ${R}/srv/app/data 0750`),
          task(5, `chom_put_content ${R}/srv/app/data/new.conf ${b64('n\n')} '' '' '' 0`),
          task(6, `chom_symlink ${R}/etc/c ${R}/srv/app/link`),
          task(7, `chom_remove ${R}/old-tree`),
          task(8, `chom_remove ${R}/etc/c`),
        ],
        'run-20260101',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.notEqual(state(R), before);
      const changed = state(R);
      const c = rollback(sb, { check: true });
      assert.equal(state(R), changed, 'rollback --check changed something');
      assert.ok(undos(c).length >= 8 && undos(c).every((u) => u.status === 'undone' && /^would /.test(u.msg)), JSON.stringify(undos(c)));
      const rb = rollback(sb);
      assert.equal(rb.code, 0, rb.stderr);
      assert.deepEqual(
        undos(rb).filter((u) => u.status !== 'undone'),
        [],
      );
      assert.equal(state(R), before, 'the tree is not what it was before the run');
      assert.equal(undos(rb)[0].task, 8, 'newest first');
      const again = rollback(sb);
      assert.equal(undos(again).length, 0);
      assert.match(JSON.stringify(again.events), /already rolled back/);
    } finally {
      sb.cleanup();
    }
  });

  it('a directory holding data written after the run is kept and reported, never deleted', () => {
    const sb = sandbox();
    try {
      const d = join(sb.root, 'srv/data');
      apply(sb, [task(1, `chom_mkdir ${d}`)], 'run-1');
      writeFileSync(join(d, 'user-upload.bin'), 'precious');
      const rb = rollback(sb, { runId: 'run-1' });
      const u = undos(rb);
      // srv/data and its parent srv were both created by the run: both stay, each reported.
      assert.deepEqual(
        u.map((x) => [x.path.slice(sb.root.length), x.status]),
        [
          ['/srv/data', 'kept'],
          ['/srv', 'kept'],
        ],
      );
      assert.match(u[0].msg, /kept directory .*srv\/data: it holds data written after the run \(1 entries, e\.g\. user-upload\.bin\)/);
      assert.equal(readFileSync(join(d, 'user-upload.bin'), 'utf8'), 'precious');
    } finally {
      sb.cleanup();
    }
  });

  it('rollback_on_failure undoes the run on the host when a task fails', () => {
    const sb = sandbox();
    try {
      const f = join(sb.root, 'created.conf');
      const r = apply(
        sb,
        [
          task(1, `chom_put_content ${f} ${Buffer.from('x').toString('base64')} '' '' '' 0`),
          task(2, 'exit 1'),
          task(3, 'chom_changed never'),
        ],
        'run-rof',
        true,
      );
      assert.deepEqual(
        r.tasks.map((t) => t.status),
        ['changed', 'failed'],
      );
      assert.deepEqual(
        undos(r).map((u) => [u.status, u.op]),
        [['undone', 'create']],
      );
      assert.equal(existsSync(f), false);
      assert.ok(r.events.some((e) => e.t === 'rollback_end' && e.undone === 1));
      assert.equal(r.events.at(-1)?.t, 'end');
      assert.ok(existsSync(join(sb.state, 'journal', 'run-rof.rolled-back')));
    } finally {
      sb.cleanup();
    }
  });

  it('an unknown run id is refused with the runs that exist', () => {
    const sb = sandbox();
    try {
      apply(sb, [task(1, `chom_mkdir ${sb.root}/d`)], 'run-a');
      const rb = rollback(sb, { runId: 'run-zzz' });
      assert.equal(rb.code, 2);
      const ab = rb.events.find((e) => e.t === 'abort');
      assert.ok(ab && ab.t === 'abort' && /no journal of run run-zzz .*run-a/.test(ab.msg), JSON.stringify(rb.events));
    } finally {
      sb.cleanup();
    }
  });
});
