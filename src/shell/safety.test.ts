import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, runBash, sandbox, task, type RunResult, type Sandbox } from '../../test/modules/harness.js';
import { EventParser, type ScriptEvent } from './events.js';
import { buildScript, LOCKED_EXIT, type ScriptSpec, type ScriptTask } from './script.js';

const skip = isRoot ? false : 'needs root';

function run(sb: Sandbox, tasks: ScriptTask[], extra: Partial<ScriptSpec> = {}): RunResult {
  const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
  const spec: ScriptSpec = {
    host: 'test',
    runId: 'run-' + randomBytes(3).toString('hex'),
    marker,
    check: false,
    diff: false,
    tasks,
    handlers: [],
    user: 'alice',
    machine: 'ctl1',
    ...extra,
  };
  return runBash(buildScript(spec), marker, sb.state);
}

function ev<T extends ScriptEvent['t']>(r: RunResult, t: T): Extract<ScriptEvent, { t: T }>[] {
  return r.events.filter((e): e is Extract<ScriptEvent, { t: T }> => e.t === t);
}

/** No process of ours whose command line holds `needle` is left. */
function alive(needle: string): string[] {
  const r = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

// Sleep durations unique to this test process: ps sees every process on the machine, and
// other checkouts may run this test at the same time.
const Z = `9${String(process.pid % 100000).padStart(5, '0')}`;

describe('host safety: timeouts, retries, error classes, disk, locks', { skip }, () => {
  it('a hung task is killed with every process it started, reported as timed out; the next task still ran nothing', () => {
    const sb = sandbox();
    try {
      const t0 = Date.now();
      const r = run(sb, [task(1, `sleep ${Z}1 & sleep ${Z}2`, { timeout: 1 }), task(2, 'chom_changed never')]);
      assert.ok(Date.now() - t0 < 15_000, 'the timeout did not stop the task');
      assert.deepEqual(
        r.tasks.map((t) => [t.id, t.status, t.class]),
        [[1, 'failed', 'timeout']],
      );
      assert.match(r.tasks[0].msg, /timed out after 1 s/);
      assert.deepEqual(alive(`sleep ${Z}`), [], 'a child of the timed-out task survived');
      assert.equal(r.code, 2);
    } finally {
      sb.cleanup();
    }
  });

  it('the script-wide task timeout applies to tasks without their own', () => {
    const sb = sandbox();
    try {
      const r = run(sb, [task(1, `sleep ${Z}3`)], { taskTimeout: 1 });
      assert.equal(r.tasks[0].class, 'timeout');
      assert.deepEqual(alive(`sleep ${Z}3`), []);
    } finally {
      sb.cleanup();
    }
  });

  it('until retries over the registered result and converges; retries are announced; exhausted retries fail', () => {
    const sb = sandbox();
    try {
      const n = join(sb.root, 'n');
      const body = `c=$(( $(cat ${n} 2>/dev/null || echo 0) + 1 )); echo $c > ${n}; echo $c; [ $c -ge 2 ] && chom_changed "count $c" || true`;
      const r = run(sb, [task(1, body, { register: 'c', until: '[[ ${chom_r_c_stdout} -ge 3 ]]', attempts: 6, delay: 0 })]);
      assert.equal(r.tasks[0].status, 'changed');
      assert.equal(r.tasks[0].attempts, 3);
      assert.deepEqual(
        ev(r, 'retry').map((e) => [e.attempt, e.left]),
        [
          [1, 5],
          [2, 4],
        ],
      );
      assert.equal(readFileSync(n, 'utf8').trim(), '3');
      const r2 = run(sb, [task(1, 'echo no', { register: 'x', until: '[[ ${chom_r_x_stdout} == yes ]]', attempts: 2, delay: 0 })]);
      assert.equal(r2.tasks[0].status, 'failed');
      assert.match(r2.tasks[0].msg, /still failing after 2 attempts \(the until condition stayed false\)/);
      const r3 = run(sb, [task(1, `[ -e ${n}.ok ] || { touch ${n}.ok; exit 1; }`, { attempts: 3, delay: 0 })]);
      assert.deepEqual([r3.tasks[0].status, r3.tasks[0].attempts], ['ok', 2], 'retries alone retry until the task succeeds');
    } finally {
      sb.cleanup();
    }
  });

  it('check mode makes one attempt and never waits', () => {
    const sb = sandbox();
    try {
      const t0 = Date.now();
      const r = run(sb, [task(1, 'echo no', { register: 'x', until: 'false', attempts: 4, delay: 5 })], { check: true });
      assert.ok(Date.now() - t0 < 4000);
      assert.equal(ev(r, 'retry').length, 0);
      assert.equal(r.tasks[0].status, 'ok');
    } finally {
      sb.cleanup();
    }
  });

  it('failed tasks carry an error class', () => {
    const sb = sandbox();
    try {
      const cases: Array<[string, string]> = [
        ['echo "cat: write error: No space left on device" >&2; exit 1', 'disk-full'],
        ['chom_no_such_command_xyz', 'not-found'],
        ['echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100', 'package-lock'],
        ['echo "touch: cannot touch x: Permission denied" >&2; exit 1', 'permission-denied'],
        ['echo "E: Failed to fetch http://deb/x 503" >&2; exit 100', 'download'],
        ['exit 3', 'other'],
      ];
      for (const [body, cls] of cases) {
        const r = run(sb, [task(1, body)]);
        assert.equal(r.tasks[0].class, cls, body);
      }
    } finally {
      sb.cleanup();
    }
  });

  it('a host without the free space the play needs fails before any task, naming path and numbers', () => {
    const sb = sandbox();
    try {
      const marker = join(sb.root, 'ran');
      const r = run(sb, [task(1, `touch ${marker}`)], { minDiskFreeMb: 999_999_999 });
      const ab = ev(r, 'abort');
      assert.equal(ab.length, 1);
      assert.equal(ab[0].class, 'disk-full');
      assert.match(ab[0].msg, /disk full: \/ \(filesystem \/[^)]*\) has \d+ MB free, the play needs 999999999 MB/);
      assert.equal(r.tasks.length, 0);
      assert.equal(existsSync(marker), false);
      assert.equal(existsSync(join(sb.state, 'lock')), false, 'the lock is taken only after the disk check');
      assert.equal(r.code, 2);
    } finally {
      sb.cleanup();
    }
  });

  it('a second run is refused naming the holder; the lock is released at the end', async () => {
    const sb = sandbox();
    try {
      const lock = join(sb.state, 'lock');
      const holder = spawn(
        'bash',
        [
          '-c',
          `exec 9<>"$1"; flock 9; printf 'run=r-first\\nuser=bob\\nmachine=ctl2\\nsince=2026-01-01T00:00:00Z\\npid=%s\\n' $$ >"$1"; echo held; sleep 20`,
          'x',
          lock,
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      );
      await new Promise<void>((res) => holder.stdout.once('data', () => res()));
      try {
        const marker = join(sb.root, 'ran');
        const r = run(sb, [task(1, `touch ${marker}`)]);
        assert.equal(r.code, LOCKED_EXIT);
        const l = ev(r, 'locked');
        assert.equal(l.length, 1);
        assert.deepEqual(
          { ...l[0].holder, pid: '' },
          { runId: 'r-first', user: 'bob', machine: 'ctl2', since: '2026-01-01T00:00:00Z', pid: '' },
        );
        assert.equal(existsSync(marker), false);
        assert.match(r.stderr, /locked by run r-first by bob from ctl2/);
        const c = run(sb, [task(1, ':')], { check: true });
        assert.match(ev(c, 'warn')[0]?.msg ?? '', /another run holds this host's lock: run r-first/);
      } finally {
        holder.kill();
      }
      await new Promise((res) => holder.once('close', res));
      const r2 = run(sb, [task(1, `cat ${lock}`, { register: 'l' }), task(2, 'chom_changed "$chom_r_l_stdout"')]);
      assert.equal(r2.code, 0);
      assert.match(r2.tasks[1].msg, /run=run-.*user=alice.*machine=ctl1/s, 'the holder is recorded while the run runs');
      assert.match(ev(r2, 'warn')[0]?.msg ?? '', /took over the lock left by run r-first by bob from ctl2 .*its process is gone/);
      assert.equal(readFileSync(lock, 'utf8'), '', 'released at the end');
    } finally {
      sb.cleanup();
    }
  });

  it('SIGTERM kills the current task group, removes its temp files and releases the lock', async () => {
    const sb = sandbox();
    try {
      const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
      const script = buildScript({
        host: 't',
        runId: 'run-term',
        marker,
        check: false,
        diff: false,
        handlers: [],
        tasks: [task(1, `sleep ${Z}4 & sleep ${Z}5`), task(2, `touch ${sb.root}/never`)],
      });
      const child = spawn('bash', ['-s'], {
        env: { PATH: process.env.PATH, CHOM_JOURNAL_DIR: join(sb.state, 'journal') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const events: ScriptEvent[] = [];
      const p = new EventParser(marker, (e) => events.push(e));
      child.stdout.on('data', (b: Buffer) => p.push(b));
      child.stdin.end(script);
      for (let i = 0; i < 100 && alive(`sleep ${Z}5`).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      const code = await new Promise((res) => child.once('close', res));
      assert.equal(code, 143);
      assert.ok(events.some((e) => e.t === 'interrupted'));
      assert.deepEqual(alive(`sleep ${Z}`), []);
      assert.equal(readFileSync(join(sb.state, 'lock'), 'utf8'), '');
      assert.equal(existsSync(join(sb.root, 'never')), false);
    } finally {
      sb.cleanup();
    }
  });

  it('a vanished controller (closed event stream): the current task finishes, the next never starts, the lock is released', async () => {
    const sb = sandbox();
    try {
      const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
      const script = buildScript({
        host: 't',
        runId: 'run-drop',
        marker,
        check: false,
        diff: false,
        handlers: [],
        tasks: [task(1, `sleep 1; touch ${sb.root}/first`), task(2, `touch ${sb.root}/second`)],
      });
      const child = spawn('bash', ['-s'], {
        env: { PATH: process.env.PATH, CHOM_JOURNAL_DIR: join(sb.state, 'journal') },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      child.stdin.end(script);
      await new Promise<void>((res) => child.stdout.once('data', () => res()));
      child.stdout.destroy();
      const code = await new Promise((res) => child.once('close', res));
      assert.equal(code, 0);
      assert.equal(existsSync(join(sb.root, 'first')), true, 'the running task was cut short');
      assert.equal(existsSync(join(sb.root, 'second')), false, 'a task started after the controller went away');
      assert.equal(readFileSync(join(sb.state, 'lock'), 'utf8'), '');
    } finally {
      sb.cleanup();
    }
  });

  it('an ENOSPC write keeps the old file and removes its temp file (tiny tmpfs)', (t) => {
    const sb = sandbox();
    const dir = join(sb.root, 'tiny');
    mkdirSync(dir);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
    if (m.status !== 0) {
      sb.cleanup();
      t.skip('cannot mount a tmpfs here (the e2e test covers it inside a lab host)');
      return;
    }
    try {
      writeFileSync(join(dir, 'conf'), 'old content\n');
      const big = Buffer.alloc(200 * 1024, 'x').toString('base64');
      const r = run(sb, [task(1, `chom_put_content ${dir}/conf ${big} '' '' '' 0`)]);
      assert.equal(r.tasks[0].status, 'failed');
      assert.equal(r.tasks[0].class, 'disk-full');
      assert.match(r.tasks[0].msg, /disk full/);
      assert.equal(readFileSync(join(dir, 'conf'), 'utf8'), 'old content\n');
      assert.deepEqual(spawnSync('ls', ['-A', dir], { encoding: 'utf8' }).stdout.trim().split('\n'), ['conf']);
    } finally {
      spawnSync('umount', [dir]);
      sb.cleanup();
    }
  });
});
