/**
 * What a person sees during a 40-host run: on a terminal (a real pseudo-terminal from tmux) one
 * aggregate progress bar; in a pipe one plain line per task result, no escape codes; with
 * --output json one JSON event per line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDown, labUp } from '../../src/lab/index.js';
import { cli, jsonEvents, runCli, skipUnlessRoot } from './harness.js';

const HOSTS = 40;
const LAB = `progress${process.pid % 10000}`;
/** This test's own build (dist-NAME/test/e2e/progress.test.js): the CLI it drives must be the same. */
const DIST = basename(fileURLToPath(new URL('../../', import.meta.url)));
const env = { CHOM_PLAY_DIST: DIST };

const PLAYBOOK = `- name: Progress demo
  hosts: all
  gather_facts: false
  tasks:
    - name: Work directory
      file: {path: /srv/progress, state: directory, mode: "0755"}
    - name: A file
      copy: {content: "hello from {{ inventory_hostname }}\\n", dest: /srv/progress/hello}
    - name: A long task
      command: sleep 4
    - name: Another file
      copy: {content: "done\\n", dest: /srv/progress/done}
`;
const TASKS = 4;

const tmuxMissing = spawnSync('tmux', ['-V']).status !== 0 ? 'needs tmux (bash .ci/setup installs it)' : false;

function tmux(args: string[]): string {
  const r = spawnSync('tmux', args, { encoding: 'utf8' });
  return r.stdout ?? '';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress output of a 40-host run', { skip: skipUnlessRoot || tmuxMissing, timeout: 170_000 }, () => {
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chom-progress-'));
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(join(dir, 'playbooks', 'site.yml'), PLAYBOOK);
    await labUp({ name: LAB, hosts: HOSTS, inventoryDir: join(dir, 'inventory') });
  });

  after(async () => {
    tmux(['kill-session', '-t', LAB]);
    await labDown(LAB);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the CLI picks the progress reporter on a terminal (src/cli/run.ts wiring)', () => {
    const run = readFileSync(join(fileURLToPath(new URL('../../src/cli/', import.meta.url)), 'run.js'), 'utf8');
    assert.match(run, /progress\.js/, 'src/cli/run.ts does not load src/run/progress.ts: apply the wiring patch from the "speed" report');
  });

  it('on a terminal: one aggregate bar counting tasks, hosts done and statuses', async () => {
    const cmd = `cd ${dir} && env -u CI CHOM_PLAY_DIST=${DIST} ${process.execPath} ${cli} site.yml -i inventory -f ${HOSTS}; echo CHOM_EXIT=$?; sleep 60`;
    tmux(['kill-session', '-t', LAB]);
    const started = spawnSync('tmux', ['new-session', '-d', '-s', LAB, '-x', '200', '-y', '50', cmd]);
    assert.equal(started.status, 0, `tmux new-session failed: ${started.stderr}`);
    const screens: string[] = [];
    const deadline = Date.now() + 90_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = tmux(['capture-pane', '-p', '-t', LAB]);
      screens.push(screen);
      if (screen.includes('CHOM_EXIT=')) break;
      await sleep(250);
    }
    assert.match(screen, /CHOM_EXIT=0/, `the run did not finish well; last screen:\n${screen}`);
    // While it ran: the bar, tasks i of n, the hosts still working.
    // Hosts plan as they connect, so the first frames may precede the task counts: look for a frame naming the slowest hosts.
    const during = screens.find((s) => /all hosts \[.*\] tasks \d+\/\d+/.test(s) && s.includes('slowest:') && !s.includes('PLAY RECAP'));
    assert.ok(during, `no aggregate bar seen while running; screens:\n${screens.slice(-3).join('\n----\n')}`);
    assert.match(during!, new RegExp(`slowest: ${LAB}-\\d+ \\d+/4`));
    // At the end: everything counted, no per-host bars, then the recap.
    assert.match(
      screen,
      new RegExp(
        `all hosts \\[.*\\] tasks ${HOSTS * TASKS}/${HOSTS * TASKS} \\| hosts done ${HOSTS}/${HOSTS} \\| ok=0 changed=${HOSTS * TASKS} failed=0 unreachable=0`,
      ),
    );
    assert.doesNotMatch(screen, new RegExp(`${LAB}-1 \\[`), 'per-host bars are for 20 hosts or fewer');
    assert.match(screen, /PLAY RECAP/);
  });

  it('in a pipe: one plain line per task result and no escape codes', async () => {
    const r = await runCli(['site.yml', '-i', 'inventory', '-f', String(HOSTS)], dir, env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /\x1b/, 'escape codes in piped output');
    const lines = r.stdout.split('\n').filter((l) => new RegExp(`^(ok|changed): \\[${LAB}-\\d+\\] `).test(l));
    assert.equal(lines.length, HOSTS * TASKS);
    assert.ok(
      lines.some((l) => new RegExp(`^changed: \\[${LAB}-7\\] A long task \\(playbooks/site\\.yml:\\d+:\\d+\\) \\d+ms`).test(l)),
      lines.slice(0, 5).join('\n'),
    );
  });

  it('--output json: every line one JSON event, from run start to recap', async () => {
    const r = await runCli(['site.yml', '-i', 'inventory', '-f', String(HOSTS), '-o', 'json'], dir, env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON: ${l}`);
    const events = jsonEvents(r.stdout);
    assert.equal(events.length, lines.length);
    assert.equal(events[0].event, 'run_start');
    assert.equal(events.at(-1)!.event, 'recap');
    assert.equal(events.filter((e) => e.event === 'host_start').length, HOSTS);
    assert.equal(events.filter((e) => e.event === 'host_end').length, HOSTS);
    const tasks = events.filter((e) => e.event === 'task');
    assert.equal(tasks.length, HOSTS * TASKS);
    const long = tasks.find((e) => e.name === 'A long task' && e.host === `${LAB}-3`)!;
    assert.equal(long.status, 'changed');
    assert.ok((long.ms as number) >= 3900, `sleep 4 reported ${String(long.ms)} ms`);
  });
});
