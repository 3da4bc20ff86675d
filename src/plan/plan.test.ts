import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import { loadPlaybook } from '../playbook/index.js';
import { Redactor } from '../secrets/index.js';
import { createTemplateContext } from '../template/index.js';
import { isRoot, runTasks, sandbox } from '../../test/modules/harness.js';
import { planHost, runAsLine, type HostPlan, type PlanContext } from './plan.js';
import { STAGE_THRESHOLD } from './staging.js';
import { sharedMagic } from './vars.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project (site.yml, inventory, templates/, files/) in a temp dir; plans play 0 for `host`. */
function plan(files: Record<string, string | Buffer>, host = 'web1'): HostPlan {
  const root = mkdtempSync(join(tmpdir(), 'chom-plan-'));
  dirs.push(root);
  const all: Record<string, string | Buffer> = { 'hosts.yml': 'all:\n  hosts:\n    web1: { ansible_user: deploy }\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const playbook = loadPlaybook(join(root, 'site.yml'));
  const inventory = loadInventory(join(root, 'hosts.yml'));
  const play = playbook.plays[0];
  const ctx: PlanContext = {
    playbook,
    inventory,
    extraVars: {},
    env: {},
    facts: new Map(),
    selected: new Map(),
    bodyCache: new Map(),
    tmpl: createTemplateContext(root, {}, new Redactor()),
  };
  return planHost(ctx, play, host, [host], sharedMagic(inventory, ctx.facts));
}

const site = (tasks: string, head = ''): string => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const planErr = (files: Record<string, string>): InputError => {
  try {
    plan(files);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail('planning succeeded');
};

describe('planner: become decided once', () => {
  for (const [v, want] of [
    ['"True"', true],
    ['"on"', true],
    ['yes', true],
    ['"no"', false],
    ['false', false],
  ] as const) {
    it(`ansible_become: ${v} in the inventory gives become=${want}`, () => {
      const p = plan({
        'hosts.yml': `all:\n  hosts:\n    web1: { ansible_user: deploy, ansible_become: ${v} }\n`,
        'site.yml': site('    - command: id\n'),
      });
      assert.equal(p.become, want);
    });
  }
  it('the old spelling ansible_sudo: yes also gives become', () => {
    assert.equal(
      plan({
        'hosts.yml': 'all:\n  hosts:\n    web1: { ansible_user: deploy, ansible_sudo: yes }\n',
        'site.yml': site('    - command: id\n'),
      }).become,
      true,
    );
  });
  it('an unreadable ansible_become is refused at its inventory line instead of meaning false', () => {
    const e = planErr({ 'hosts.yml': 'all:\n  hosts:\n    web1:\n      ansible_become: maybe\n', 'site.yml': site('    - command: id\n') });
    assert.match(e.message, /ansible_become is "maybe", expected true or false/);
    assert.equal(e.loc?.line, 4);
  });
  it('a become task or handler makes the script run under sudo', () => {
    assert.equal(plan({ 'site.yml': site('    - command: id\n      become: yes\n') }).become, true);
    assert.equal(
      plan({
        'site.yml': site('    - command: id\n      notify: h\n  handlers:\n    - name: h\n      command: id\n      become: "True"\n'),
      }).become,
      true,
    );
  });
  it('the header line names the login user and sudo -n only when it applies', () => {
    assert.equal(runAsLine({ loginUser: 'deploy', become: true }), 'login user deploy, become: sudo -n -- bash -s');
    assert.match(runAsLine({ loginUser: 'root', become: true }), /already root/);
    assert.match(runAsLine({ loginUser: 'deploy', become: false }), /no become/);
  });
});

describe('planner: modules get typed parameters and declared inputs', () => {
  it('a template is rendered because the module declares src a template input', () => {
    const p = plan({
      'site.yml': site('    - template: { src: a.conf.hbs, dest: /etc/a.conf }\n', '  vars: { port: 8080 }\n'),
      'templates/a.conf.hbs': 'listen {{port}};\n',
    });
    assert.ok(p.tasks[0].body.includes(Buffer.from('listen 8080;\n').toString('base64')), p.tasks[0].body);
  });
  it('a small copy source is inlined; a large one is staged for upload instead', () => {
    const small = plan({ 'site.yml': site('    - copy: { src: s.txt, dest: /etc/s.txt }\n'), 'files/s.txt': 'hello\n' });
    assert.ok(small.tasks[0].body.includes(Buffer.from('hello\n').toString('base64')));
    assert.deepEqual(small.uploads, []);
    const big = plan({
      'site.yml': site('    - copy: { src: big.bin, dest: /opt/big.bin }\n'),
      'files/big.bin': Buffer.alloc(STAGE_THRESHOLD + 1, 7),
    });
    assert.equal(big.uploads.length, 1);
    assert.equal(big.uploads[0].remote.startsWith('/var/tmp/chom-play-stage-deploy/'), true, "stages in the login user's dir");
    assert.ok(big.tasks[0].body.includes(big.uploads[0].sha256));
  });
  it('content and src together are refused at the argument, before any file is looked up', () => {
    const e = planErr({ 'site.yml': site('    - copy:\n        content: x\n        src: missing.txt\n        dest: /etc/x\n') });
    assert.match(e.message, /content and src cannot be used together/);
    assert.equal(e.loc?.line, 6, 'at the src key');
  });
  it('a file alias reaches the module under its canonical name', () => {
    const p = plan({ 'site.yml': site('    - file: { dest: /srv/app, state: directory }\n') });
    assert.match(p.tasks[0].body, /^p=\/srv\/app;/m);
  });
});

describe('planner: typed keywords', () => {
  it('a templated retries is rendered per host and checked at its own line', () => {
    const e = planErr({
      'site.yml': site('    - command: id\n      register: r\n      until: r.rc == 0\n      retries: "{{ n }}"\n', '  vars: { n: lots }\n'),
    });
    assert.match(e.message, /retries must be a whole number >= 0, got "lots"/);
    assert.equal(e.loc?.line, 8);
  });
  it('retries/delay/until become attempts, delay and the until condition', () => {
    const p = plan({
      'site.yml': site('    - command: id\n      register: r\n      until: r.rc == 0\n      retries: 2\n      delay: 1\n'),
    });
    assert.equal(p.tasks[0].attempts, 3);
    assert.equal(p.tasks[0].delay, 1);
    assert.ok(p.tasks[0].until);
  });
  it('a handler answers to its listen topics', () => {
    const p = plan({
      'site.yml': site(
        '    - command: id\n      notify: web restart\n  handlers:\n    - name: restart nginx\n      command: id\n      listen: [web restart]\n',
      ),
    });
    assert.deepEqual(p.tasks[0].notify, [p.handlers[0].id]);
  });
  it('min_disk_free_mb and rollback_on_failure reach the host plan', () => {
    const p = plan({ 'site.yml': site('    - command: id\n', '  min_disk_free_mb: 64\n  rollback_on_failure: yes\n') });
    assert.equal(p.minDiskFreeMb, 64);
    assert.equal(p.rollbackOnFailure, true);
  });
});

describe('per-task check_mode and diff', { skip: isRoot ? false : 'needs root (runs the script)' }, () => {
  const files = (dir: string): Record<string, string> => ({
    'site.yml': site(
      [
        `    - name: only predicted\n      copy: { content: "a\\n", dest: ${dir}/predicted }\n      check_mode: yes\n`,
        `    - name: really written\n      copy: { content: "b\\n", dest: ${dir}/written }\n      check_mode: no\n      diff: no\n`,
        `    - name: follows the run\n      copy: { content: "c\\n", dest: ${dir}/normal }\n`,
      ].join(''),
    ),
  });
  it('check_mode: yes only predicts in a real run; check_mode: no writes even under --check; diff: no hides the diff', () => {
    const sb = sandbox();
    try {
      const p = plan(files(sb.root));
      const chk = runTasks(sb, p.tasks, { check: true, diff: true });
      assert.deepEqual(
        chk.tasks.map((t) => t.status),
        ['changed', 'changed', 'changed'],
        chk.stderr,
      );
      assert.equal(readFileSync(join(sb.root, 'written'), 'utf8'), 'b\n', 'check_mode: no wrote under --check');
      assert.throws(() => readFileSync(join(sb.root, 'normal')), 'a plain task changed nothing under --check');
      assert.equal(chk.tasks[1].diff, '', 'diff: no shows no diff');
      assert.match(chk.tasks[2].diff, /\+c/);
      const run = runTasks(sb, p.tasks, { diff: true });
      assert.deepEqual(
        run.tasks.map((t) => t.status),
        ['changed', 'ok', 'changed'],
        run.stderr,
      );
      assert.throws(() => readFileSync(join(sb.root, 'predicted')), 'check_mode: yes changed nothing in a real run');
      assert.equal(readFileSync(join(sb.root, 'normal'), 'utf8'), 'c\n');
    } finally {
      sb.cleanup();
    }
  });
});

describe('block / rescue / always', () => {
  const blockSite = (dir: string): Record<string, string> => ({
    'site.yml': site(
      [
        '    - name: guarded\n      block:\n',
        `        - copy: { content: "1\\n", dest: ${dir}/one }\n`,
        '        - command: "false"\n',
        `        - copy: { content: "never\\n", dest: ${dir}/never }\n`,
        '      rescue:\n',
        `        - copy: { content: "{{ note }}\\n", dest: ${dir}/rescued }\n`,
        '      always:\n',
        `        - copy: { content: "a\\n", dest: ${dir}/always }\n`,
        `    - copy: { content: "after\\n", dest: ${dir}/after }\n`,
      ].join(''),
      '  vars: { note: saved }\n',
    ),
  });
  it('tasks carry the block, its section and where it was written', () => {
    const p = plan(blockSite('/tmp/x'));
    assert.deepEqual(
      p.tasks.map((t) => t.blocks?.map((b) => b.section).join('/') ?? '-'),
      ['block', 'block', 'block', 'rescue', 'always', '-'],
    );
    assert.equal(p.tasks[0].blocks?.[0].label, 'block "guarded" (site.yml:5)');
  });
  it(
    'a failing task: the rest of the block is skipped, rescue and always run, the host goes on',
    { skip: isRoot ? false : 'needs root (runs the script)' },
    () => {
      const sb = sandbox();
      try {
        const r = runTasks(sb, plan(blockSite(sb.root)).tasks);
        assert.deepEqual(
          r.tasks.map((t) => t.status),
          ['changed', 'failed', 'changed', 'changed', 'changed'],
          r.stderr,
        );
        assert.equal(readFileSync(join(sb.root, 'rescued'), 'utf8'), 'saved\n');
        assert.throws(() => readFileSync(join(sb.root, 'never')));
        assert.equal(r.code, 0);
      } finally {
        sb.cleanup();
      }
    },
  );
});
