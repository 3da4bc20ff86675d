/**
 * Differential tests against Ansible for the task-structure keywords (issue 12 items 2 and 4):
 * block/rescue/always. Twin lab hosts: `ans` (python3, ansible-playbook) and `chom` (bash only).
 * Compared: end state of the files the playbooks touch, the recap (changed, rescued, failed) and
 * the exit status. Needs root (the lab) and /usr/bin/ansible-playbook.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { labDown, labUp, type Lab } from '../../src/lab/index.js';
import { recap, runCli, skipUnlessRoot } from './harness.js';
import { execFile } from 'node:child_process';
import { ansibleInventory, endState, installPython } from './differential.js';

const NAME = `dblk${process.pid % 10000}`;
const skip = skipUnlessRoot || (existsSync('/usr/bin/ansible-playbook') ? false : 'needs ansible-core (.ci/setup installs it)');
let lab: Lab;
let project: string;

const RESCUED = `- hosts: all
  gather_facts: false
  vars:
    note: saved
  tasks:
    - file: { path: /root/blk, state: directory, mode: '0755' }
    - name: a failing block is rescued
      block:
        - copy: { content: "one\\n", dest: /root/blk/one }
        - name: this fails
          command: /bin/false
        - copy: { content: "never\\n", dest: /root/blk/never }
      rescue:
        - copy: { content: "{{ note }}\\n", dest: /root/blk/rescued }
      always:
        - copy: { content: "always\\n", dest: /root/blk/always }
    - name: a clean block skips its rescue
      block:
        - copy: { content: "clean\\n", dest: /root/blk/clean }
      rescue:
        - copy: { content: "never\\n", dest: /root/blk/never2 }
      always:
        - copy: { content: "always2\\n", dest: /root/blk/always2 }
    - name: outer
      block:
        - name: inner
          block:
            - command: /bin/false
          always:
            - copy: { content: "inner\\n", dest: /root/blk/inner-always }
        - copy: { content: "never\\n", dest: /root/blk/never3 }
      rescue:
        - copy: { content: "outer\\n", dest: /root/blk/outer-rescued }
    - copy: { content: "after\\n", dest: /root/blk/after }
`;

const UNRESCUED = `- hosts: all
  gather_facts: false
  tasks:
    - file: { path: /root/blk2, state: directory, mode: '0755' }
    - block:
        - command: /bin/false
      always:
        - copy: { content: "always\\n", dest: /root/blk2/always }
    - copy: { content: "after\\n", dest: /root/blk2/after }
`;

/**
 * ansible-playbook with its default output, the recap line read back. (The `json` stdout callback
 * the shared harness asks for is not part of ansible-core 2.14, Debian 12's.)
 */
function ansibleRun(inventory: string, playbook: string): Promise<{ code: number; out: string; recap: Record<string, number> }> {
  return new Promise((resolve) => {
    // Pipelining: become_user to an unprivileged user needs no world-readable module files.
    execFile(
      'ansible-playbook',
      ['-i', inventory, playbook],
      { cwd: project, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_PIPELINING: '1' } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        const line =
          stdout
            .split('\n')
            .reverse()
            .find((l) => /\bok=\d+/.test(l)) ?? '';
        const recap = Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
        resolve({ code, out: stdout + stderr, recap });
      },
    );
  });
}

const INCLUDES = `- hosts: all
  gather_facts: true
  tasks:
    - include_tasks: "os-{{ ansible_os_family }}.yml"
    - include_role:
        name: web
        tasks_from: extra
        vars_from: special
    - include_tasks: user.yml
      loop: [ann, bob]
      loop_control: { loop_var: u }
    - copy: { content: "{{ item.key }}={{ item.value }}\\n", dest: "/root/inc/{{ item.key }}" }
      with_dict: { a: 1, b: 2 }
    - shell: whoami > /tmp/chom-who
      args: { creates: /tmp/chom-who }
      become: "{{ true }}"
      become_user: nobody
    - shell: echo "$GREETING" > /root/inc/env
      args: { creates: /root/inc/env }
      environment: { GREETING: hello }
`;
const INCLUDE_FILES: Record<string, string> = {
  'playbooks/os-Debian.yml':
    '- file: { path: /root/inc, state: directory, mode: "0755" }\n- copy: { content: "{{ ansible_os_family }}\\n", dest: /root/inc/os }\n',
  // Another OS's file may use a module chom-play does not have: only a host that picks it fails.
  'playbooks/os-RedHat.yml': '- dnf: { name: httpd }\n',
  'playbooks/user.yml': '- copy: { content: "{{ u }}\\n", dest: "/root/inc/user-{{ u }}" }\n',
  'playbooks/roles/web/defaults/main.yml': 'colour: blue\n',
  'playbooks/roles/web/vars/special.yml': 'colour: red\n',
  'playbooks/roles/web/tasks/main.yml': '- copy: { content: never, dest: /root/inc/never }\n',
  'playbooks/roles/web/tasks/extra.yml': '- copy: { content: "{{ colour }}\\n", dest: /root/inc/colour }\n',
};
const PATHS3 = ['os', 'colour', 'user-ann', 'user-bob', 'a', 'b', 'env', 'never'].map((f) => `/root/inc/${f}`).concat('/tmp/chom-who');

const PATHS = ['one', 'never', 'rescued', 'always', 'clean', 'never2', 'always2', 'inner-always', 'never3', 'outer-rescued', 'after'].map(
  (f) => `/root/blk/${f}`,
);
const PATHS2 = ['/root/blk2/always', '/root/blk2/after'];

before(async () => {
  if (skip) return;
  project = mkdtempSync(join(tmpdir(), 'chom-dblocks-'));
  mkdirSync(join(project, 'playbooks'));
  writeFileSync(join(project, 'playbooks', 'rescued.yml'), RESCUED);
  writeFileSync(join(project, 'playbooks', 'unrescued.yml'), UNRESCUED);
  writeFileSync(join(project, 'playbooks', 'includes.yml'), INCLUDES);
  for (const [rel, text] of Object.entries(INCLUDE_FILES)) {
    mkdirSync(dirname(join(project, rel)), { recursive: true });
    writeFileSync(join(project, rel), text);
  }
  lab = await labUp({ name: NAME, hosts: 2, inventoryDir: join(project, 'inventory') });
  await installPython(lab, lab.hosts[0]);
});

after(async () => {
  if (!skip) await labDown(NAME);
});

test(
  'block/rescue/always: same files, same changed and rescued counts as ansible-playbook; second run changes nothing',
  { skip },
  async () => {
    const [ans, chom] = lab.hosts;
    const inv = ansibleInventory(lab, ans, project);
    const a = await ansibleRun(inv, 'playbooks/rescued.yml');
    assert.equal(a.code, 0, a.out.slice(-3000));
    const c = await runCli(['run', 'playbooks/rescued.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.equal(await endState(lab, chom.name, PATHS, []), await endState(lab, ans.name, PATHS, []));
    const theirs = a.recap;
    const ours = recap(c.stdout)[chom.name];
    assert.deepEqual(
      { changed: ours?.changed, rescued: ours?.rescued, failed: ours?.failed },
      { changed: theirs.changed, rescued: theirs.rescued, failed: theirs.failed },
    );
    const again = await runCli(['run', 'playbooks/rescued.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(recap(again.stdout)[chom.name]?.changed, 0);
  },
);

test('a block failure without rescue: always runs, then the host stops failed, as in Ansible', { skip }, async () => {
  const [ans, chom] = lab.hosts;
  const inv = ansibleInventory(lab, ans, project);
  const a = await ansibleRun(inv, 'playbooks/unrescued.yml');
  assert.equal(a.code, 2, a.out.slice(-3000));
  const c = await runCli(['run', 'playbooks/unrescued.yml', '-i', 'inventory', '--limit', chom.name], project);
  assert.equal(c.code, 2, c.stdout + c.stderr);
  assert.equal(await endState(lab, chom.name, PATHS2, []), await endState(lab, ans.name, PATHS2, []));
});

test(
  'include_role tasks_from/vars_from, a templated include_tasks, include loops, with_dict, become_user, environment: same end state as ansible-playbook',
  { skip },
  async () => {
    const [ans, chom] = lab.hosts;
    const inv = ansibleInventory(lab, ans, project);
    const a = await ansibleRun(inv, 'playbooks/includes.yml');
    assert.equal(a.code, 0, a.out.slice(-3000));
    const c = await runCli(['run', 'playbooks/includes.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.equal(await endState(lab, chom.name, PATHS3, []), await endState(lab, ans.name, PATHS3, []));
    // (The changed counts differ by design of the recap, not of these keywords: Ansible counts a
    // looped task once, chom-play once per item; with_dict here gives 9 vs 8.)
    const again = await runCli(['run', 'playbooks/includes.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(recap(again.stdout)[chom.name]?.changed, 0);
  },
);
