/**
 * Controller-side failure safety end to end, on 6 plain lab hosts over real SSH: Ctrl-C in the
 * middle of a run, --resume, a host's SSH session killed mid-run, serial batches with
 * max_fail_percentage, and the run history. Needs root (skipped with the reason otherwise).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import type { RunRecord } from '../../src/run/history.js';
import { cli, jsonEvents, recap, runCli, skipUnlessRoot, type CliResult } from './harness.js';

const NAME = `sctl${process.pid % 10000}`;
let lab: Lab;
let project: string;
const h = (i: number) => `${NAME}-${i}`;
const three = () => [h(1), h(2), h(3)];
const FILES = 10;

before(async () => {
  if (skipUnlessRoot) return;
  project = mkdtempSync(join(tmpdir(), 'chom-safety-ctl-'));
  mkdirSync(join(project, 'playbooks'));
  lab = await labUp({ name: NAME, hosts: 6, inventoryDir: join(project, 'inventory', 'lab') });
  writeFileSync(join(project, 'playbooks', 'slow.yml'), slowPlaybook());
});

after(async () => {
  if (!skipUnlessRoot) await labDown(NAME);
});

/** 20 tasks: 10 file writes interleaved with 10 slow commands, so a run takes a few seconds. */
function slowPlaybook(): string {
  const t: string[] = [];
  for (let i = 1; i <= FILES; i++) {
    const n = String(i).padStart(2, '0');
    t.push(`    - name: write ${n}\n      copy:\n        dest: /srv/sctl/f${n}.txt\n        content: "{{ gen }} file ${n}\\n"\n`);
    t.push(`    - name: pause ${n}\n      command: sleep 0.3\n      changed_when: false\n`);
  }
  return `- hosts: all\n  gather_facts: no\n  tasks:\n    - name: tree\n      file:\n        path: /srv/sctl\n        state: directory\n${t.join('')}`;
}

const inv = ['-i', 'inventory/lab'];
const limit3 = () => ['--limit', three().join(':')];

function chom(args: string[]): Promise<CliResult> {
  return runCli(args, project, { CHOM_PLAY_DIST: process.env.CHOM_PLAY_DIST ?? 'dist' });
}

/**
 * Runs the CLI with --output json and calls `when(events so far, child)` on every line, so a
 * test can act (send a signal, kill a session) at a chosen point of the run.
 */
function chomWatching(args: string[], when: (events: Array<Record<string, unknown>>, pid: number) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args, '--output', 'json'], {
      cwd: project,
      env: { ...process.env, CHOM_PLAY_DIST: process.env.CHOM_PLAY_DIST ?? 'dist' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      when(jsonEvents(stdout.slice(0, stdout.lastIndexOf('\n') + 1)), child.pid!);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Each managed file's content on a host, by number. */
async function contents(host: string): Promise<string[]> {
  const r = await hostExec(lab, host, 'for f in /srv/sctl/f*.txt; do printf "%s|" "$(cat "$f")"; done; echo');
  return r.stdout.trim().split('|').filter(Boolean);
}

/** Anything a half-done run could leave: temp files beside targets, scratch dirs, running scripts. */
async function leftovers(host: string): Promise<string> {
  const r = await hostExec(
    lab,
    host,
    "ls -A /srv/sctl | grep -v '^f[0-9][0-9].txt$'; ls -d /tmp/chom-play.* 2>/dev/null; ps -eo args | grep -E '^(sudo -n -- )?bash -s' || true",
  );
  return r.stdout.trim();
}

const tasksDone = (ev: Array<Record<string, unknown>>) => ev.filter((e) => e.event === 'task').length;
const runRecord = (id: string) => JSON.parse(readFileSync(join(project, '.chom', 'runs', `${id}.json`), 'utf8')) as RunRecord;
const runIdOf = (r: CliResult) => String(jsonEvents(r.stdout).find((e) => e.event === 'run_start')?.runId);

test(
  'Ctrl-C mid-run: every file old or new, nothing left behind, recorded; --resume completes; then changed=0',
  { skip: skipUnlessRoot },
  async () => {
    const base = await chom(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v1']);
    assert.equal(base.code, 0, base.stdout + base.stderr);

    let sent = false;
    const r = await chomWatching(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v2'], (ev, pid) => {
      // 3 hosts x 21 tasks: interrupt at about half.
      if (!sent && tasksDone(ev) >= 30) {
        sent = true;
        process.kill(pid, 'SIGINT');
      }
    });
    assert.ok(sent, 'the run ended before it could be interrupted');
    assert.equal(r.code, 99, `exit code 99 (interrupted) expected\n${r.stdout}${r.stderr}`);
    const ev = jsonEvents(r.stdout);
    assert.ok(tasksDone(ev) < 3 * 21, `the run stopped early (${tasksDone(ev)} task results)`);
    assert.match(r.stdout, /--resume/);
    let oldSeen = 0;
    for (const host of three()) {
      const c = await contents(host);
      assert.equal(c.length, FILES);
      c.forEach((line, i) => {
        const n = String(i + 1).padStart(2, '0');
        assert.ok(line === `v1 file ${n}` || line === `v2 file ${n}`, `${host} f${n}.txt holds "${line}"`);
        if (line.startsWith('v1')) oldSeen++;
      });
      assert.equal(await leftovers(host), '', `${host} has leftovers`);
    }
    assert.ok(oldSeen > 0, 'the interrupt came too late: every file was already new');

    const id = runIdOf(r);
    const rec = runRecord(id);
    assert.equal(rec.status, 'interrupted');
    assert.equal(rec.exitCode, 99);
    for (const host of three()) {
      assert.equal(rec.hosts[host].status, 'interrupted');
      assert.ok(rec.hosts[host].resumeAt, `${host} has a resume point`);
    }

    const res = await chom(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v2', '--resume', '--output', 'json']);
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.ok(tasksDone(jsonEvents(res.stdout)) < 3 * 21, 'resume re-ran tasks that had completed');
    assert.ok(!jsonEvents(res.stdout).some((e) => e.event === 'task' && e.name === 'tree'), 'the first task ran again');
    for (const host of three()) {
      assert.deepEqual(
        await contents(host),
        Array.from({ length: FILES }, (_, i) => `v2 file ${String(i + 1).padStart(2, '0')}`),
      );
    }
    assert.equal(runRecord(runIdOf(res)).resumedFrom, id);

    const again = await chom(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v2', '--output', 'json']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    for (const host of three()) assert.equal(recap(again.stdout)[host].changed, 0);
  },
);

test(
  "one host's SSH session killed mid-run: the others finish, that host is reported, a rerun converges",
  { skip: skipUnlessRoot },
  async () => {
    let killed: Promise<unknown> | undefined;
    const victim = h(2);
    const r = await chomWatching(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v3'], (ev) => {
      if (!killed && ev.filter((e) => e.event === 'task' && e.host === victim).length >= 6) {
        killed = hostExec(lab, victim, 'kill $(ps -eo pid,args | awk \'$2 == "sshd:" && $3 ~ /@notty$/ {print $1}\')');
      }
    });
    assert.ok(killed, 'the run ended before the session could be killed');
    await killed;
    assert.equal(r.code, 4, `exit 4 (unreachable) expected\n${r.stdout}${r.stderr}`);
    const ev = jsonEvents(r.stdout);
    const lost = ev.find((e) => e.event === 'host_unreachable' && e.host === victim);
    assert.match(String(lost?.message), /connection lost during the run after \d+ of 21 tasks/);
    const rc = recap(r.stdout);
    for (const host of [h(1), h(3)]) {
      assert.equal(rc[host].failed + rc[host].unreachable, 0, `${host} should have finished`);
      assert.ok((await contents(host)).every((l) => l.startsWith('v3 ')));
    }
    const c = await contents(victim);
    assert.ok(
      c.every((l) => /^v[23] file \d\d$/.test(l)),
      c.join(','),
    );
    assert.ok(
      c.some((l) => l.startsWith('v2')),
      'the dropped host should have stopped before the end',
    );
    // The host-side script stops at the next task boundary once its controller is gone.
    for (let i = 0; i < 50 && (await leftovers(victim)) !== ''; i++) await new Promise((res) => setTimeout(res, 200));
    assert.equal(await leftovers(victim), '');
    assert.equal(runRecord(runIdOf(r)).hosts[victim].status, 'unreachable');

    const again = await chom(['slow.yml', ...inv, ...limit3(), '-e', 'gen=v3', '--output', 'json']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(recap(again.stdout)[h(1)].changed, 0);
    assert.ok(recap(again.stdout)[victim].changed > 0);
    assert.ok((await contents(victim)).every((l) => l.startsWith('v3 ')));
  },
);

function serialPlaybook(extra: string): string {
  return `- hosts: all\n  gather_facts: no\n  serial: 2\n${extra}  tasks:\n    - name: mark\n      copy:\n        dest: /srv/serial.txt\n        content: "{{ inventory_hostname }}\\n"\n    - name: maybe fail\n      command: "false"\n      when: inventory_hostname == bad\n    - name: pause\n      command: sleep 0.2\n      changed_when: false\n`;
}

test('serial: 2 on 6 hosts runs 3 batches one after another', { skip: skipUnlessRoot }, async () => {
  writeFileSync(join(project, 'playbooks', 'serial.yml'), serialPlaybook(''));
  const r = await chom(['serial.yml', ...inv, '-e', 'bad=none', '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ev = jsonEvents(r.stdout);
  const batches = ev.filter((e) => e.event === 'batch_start').map((e) => e.hosts);
  assert.deepEqual(batches, [
    [h(1), h(2)],
    [h(3), h(4)],
    [h(5), h(6)],
  ]);
  const pos = (event: string, host: string) => ev.findIndex((e) => e.event === event && e.host === host);
  for (const [a, b] of [
    [1, 3],
    [2, 3],
    [1, 4],
    [2, 4],
    [3, 5],
    [4, 5],
    [3, 6],
    [4, 6],
  ]) {
    assert.ok(pos('host_end', h(a)) < pos('host_start', h(b)), `${h(a)} must end before ${h(b)} starts`);
  }
});

test('max_fail_percentage: 0 - a failure in batch one stops the later batches', { skip: skipUnlessRoot }, async () => {
  writeFileSync(join(project, 'playbooks', 'serial-stop.yml'), serialPlaybook('  max_fail_percentage: 0\n'));
  await Promise.all([1, 2, 3, 4, 5, 6].map((i) => hostExec(lab, h(i), 'rm -f /srv/serial.txt')));
  const r = await chom(['serial-stop.yml', ...inv, '-e', `bad=${h(1)}`, '--output', 'json']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const ev = jsonEvents(r.stdout);
  assert.ok(ev.some((e) => e.event === 'warning' && /max_fail_percentage 0% exceeded/.test(String(e.message))));
  const started = ev.filter((e) => e.event === 'host_start').map((e) => e.host);
  assert.deepEqual(started.sort(), [h(1), h(2)]);
  for (const i of [3, 4, 5, 6]) {
    const x = await hostExec(lab, h(i), 'test -e /srv/serial.txt && echo present || echo absent');
    assert.equal(x.stdout.trim(), 'absent', `${h(i)} was changed although its batch never started`);
  }
  const rec = runRecord(runIdOf(r));
  assert.equal(rec.status, 'failed');
  assert.equal(rec.hosts[h(5)].status, 'not-run');
});

test('chom-play history lists the runs with their outcomes and shows one run', { skip: skipUnlessRoot }, async () => {
  const r = await chom(['history']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^RUN\s+STARTED\s+PLAYBOOK\s+STATUS\s+HOSTS/);
  const statuses = lines.slice(1).map((l) => l.split(/\s{2,}/)[3]);
  assert.deepEqual(statuses, ['ok', 'interrupted', 'ok', 'ok', 'failed', 'ok', 'ok', 'failed']);
  const interrupted = lines.find((l) => /interrupted/.test(l))!.split(/\s+/)[0];
  const one = await chom(['history', interrupted]);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, new RegExp(`run ${interrupted}: interrupted \\(exit 99\\)`));
  assert.match(one.stdout, /resume at: "/);
  assert.match(one.stdout, /command: chom-play slow\.yml -i inventory\/lab/);
});
