import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import { loadPlaybook } from '../playbook/index.js';
import { Redactor } from '../secrets/index.js';
import { createTemplateContext } from '../template/index.js';
import { planHost, type HostPlan, type PlanContext } from './plan.js';
import { sharedMagic } from './vars.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Plans play 0 of site.yml for web1 (facts given), in a temp project. */
function plan(files: Record<string, string>, facts: Record<string, unknown> = {}): HostPlan {
  const root = mkdtempSync(join(tmpdir(), 'chom-inc-'));
  dirs.push(root);
  const all: Record<string, string> = { 'hosts.yml': 'all:\n  hosts:\n    web1: { ansible_user: root }\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const playbook = loadPlaybook(join(root, 'site.yml'));
  const inventory = loadInventory(join(root, 'hosts.yml'));
  const ctx: PlanContext = {
    playbook,
    inventory,
    extraVars: {},
    env: {},
    facts: new Map([['web1', facts]]),
    selected: new Map(),
    bodyCache: new Map(),
    tmpl: createTemplateContext(root, {}, new Redactor()),
  };
  return planHost(ctx, playbook.plays[0], 'web1', ['web1'], sharedMagic(inventory, ctx.facts));
}
const site = (tasks: string, head = ''): string => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const names = (p: HostPlan): string[] => p.tasks.map((t) => t.name.replace(/ \(item=.*\)$/, ''));

describe('include_role / import_role', () => {
  const role = {
    'roles/web/tasks/main.yml': '- name: web main\n  command: echo main\n',
    'roles/web/tasks/extra.yml': '- name: "web extra {{ port }} {{ colour }}"\n  command: echo extra\n  notify: restart web\n',
    'roles/web/defaults/main.yml': 'port: 80\ncolour: blue\n',
    'roles/web/defaults/alt.yml': 'port: 81\ncolour: green\n',
    'roles/web/vars/special.yml': 'colour: red\n',
    'roles/web/handlers/main.yml': '- name: restart web\n  command: echo restart\n',
  };
  it('tasks_from, vars_from and defaults_from pick the role files; its handlers join the play', () => {
    const p = plan({
      ...role,
      'site.yml': site(
        '    - include_role:\n        name: web\n        tasks_from: extra\n        defaults_from: alt.yml\n        vars_from: special\n',
      ),
    });
    assert.deepEqual(names(p), ['web extra 81 red']);
    assert.equal(p.handlers[0].name, 'restart web');
    assert.deepEqual(p.tasks[0].notify, [p.handlers[0].id]);
  });
  it('import_role runs main.yml; a public role is seen by the tasks after it, a private one is not', () => {
    const p = plan({
      ...role,
      'site.yml': site('    - import_role: { name: web }\n    - name: "after {{ port }}"\n      command: echo\n'),
    });
    assert.deepEqual(names(p), ['web main', 'after 80']);
    const q = plan({
      ...role,
      'site.yml': site('    - include_role: { name: web }\n    - name: "after {{ port | default(\'none\') }}"\n      command: echo\n'),
    });
    assert.deepEqual(names(q), ['web main', 'after none']);
  });
  it('include_role with a loop runs the role once per item', () => {
    const p = plan({
      ...role,
      'site.yml': site(
        '    - include_role: { name: web, tasks_from: extra }\n      vars: { colour: "{{ c }}" }\n      loop: [pink, grey]\n      loop_control: { loop_var: c }\n',
      ),
    });
    assert.deepEqual(names(p), ['web extra 80 pink', 'web extra 80 grey']);
  });
  it('a missing tasks_from is an error at the include', () => {
    assert.throws(
      () => plan({ ...role, 'site.yml': site('    - include_role: { name: web, tasks_from: nope }\n') }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /has no tasks\/nope/);
        assert.equal(e.loc?.line, 4);
        return true;
      },
    );
  });
});

describe('include_tasks forms', () => {
  it('the old include: with var=value parameters', () => {
    const p = plan({ 'site.yml': site('    - include: more.yml who=world\n'), 'more.yml': '- name: "hello {{ who }}"\n  command: echo\n' });
    assert.deepEqual(names(p), ['hello world']);
  });
  it('a templated file name is resolved per host with its facts; the other OS file may use a module chom-play lacks', () => {
    const files = {
      'site.yml': site('    - include_tasks: "setup-{{ ansible_os_family }}.yml"\n    - name: done\n      command: echo\n'),
      'setup-Debian.yml': '- name: debian path\n  command: echo deb\n',
      'setup-RedHat.yml': '- name: redhat path\n  dnf: { name: httpd }\n',
    };
    assert.deepEqual(names(plan(files, { ansible_facts: { os_family: 'Debian' } })), ['debian path', 'done']);
    assert.throws(
      () => plan(files, { ansible_facts: { os_family: 'RedHat' } }),
      /dnf exists in Ansible but is not implemented in chom-play yet/,
    );
    assert.throws(() => plan(files, { ansible_facts: { os_family: 'Suse' } }), /cannot find task file "setup-Suse.yml"/);
  });
  it('import_tasks with a name from play vars is resolved the same way', () => {
    const p = plan({
      'site.yml': site('    - import_tasks: "{{ flavour }}.yml"\n', '  vars: { flavour: b }\n'),
      'a.yml': '- name: a\n  command: echo\n',
      'b.yml': '- name: b\n  command: echo\n',
    });
    assert.deepEqual(names(p), ['b']);
  });
  it('include_tasks with a loop runs the whole file per item, in order; apply passes keywords down', () => {
    const p = plan({
      'site.yml': site(
        '    - include_tasks:\n        file: user.yml\n        apply: { tags: [users], become: true }\n      loop: [ann, bob]\n      loop_control: { loop_var: u, index_var: i }\n',
      ),
      'user.yml': '- name: "create {{ u }} {{ i }}"\n  command: echo\n- name: "key {{ u }}"\n  command: echo\n',
    });
    assert.deepEqual(names(p), ['create ann 0', 'key ann', 'create bob 1', 'key bob']);
    assert.equal(p.become, true);
  });
  it('a block inside a looping include is one block per item', () => {
    const p = plan({
      'site.yml': site('    - include_tasks: b.yml\n      loop: [1, 2]\n'),
      'b.yml': '- block:\n    - command: echo\n  rescue:\n    - command: echo\n',
    });
    const ids = p.tasks.map((t) => t.blocks?.[0].id);
    assert.equal(ids[0], ids[1]);
    assert.equal(ids[2], ids[3]);
    assert.notEqual(ids[0], ids[2]);
  });
});

describe('with_* loops and loop_control', () => {
  const one = (task: string, head = ''): string[] => names(plan({ 'site.yml': site(task, head) }));
  it('with_dict gives key and value', () => {
    assert.deepEqual(
      one(
        '    - name: "{{ item.key }}={{ item.value }}"\n      command: echo\n      with_dict: "{{ d }}"\n',
        '  vars: { d: { a: 1, b: 2 } }\n',
      ),
      ['a=1', 'b=2'],
    );
  });
  it('with_subelements pairs each item with each element of its list', () => {
    const vars = '  vars:\n    users: [{ name: ann, keys: [k1, k2] }, { name: bob, keys: [k3] }]\n';
    assert.deepEqual(
      one('    - name: "{{ item[0].name }}:{{ item[1] }}"\n      command: echo\n      with_subelements: ["{{ users }}", keys]\n', vars),
      ['ann:k1', 'ann:k2', 'bob:k3'],
    );
  });
  it('with_together, with_nested and with_indexed_items', () => {
    assert.deepEqual(one('    - name: "{{ item[0] }}{{ item[1] }}"\n      command: echo\n      with_together: [[a, b], [1, 2]]\n'), [
      'a1',
      'b2',
    ]);
    assert.deepEqual(one('    - name: "{{ item[0] }}{{ item[1] }}"\n      command: echo\n      with_nested: [[a, b], [1, 2]]\n'), [
      'a1',
      'a2',
      'b1',
      'b2',
    ]);
    assert.deepEqual(one('    - name: "{{ item[0] }}:{{ item[1] }}"\n      command: echo\n      with_indexed_items: [x, y]\n'), [
      '0:x',
      '1:y',
    ]);
  });
  it('loop_control index_var and extended', () => {
    assert.deepEqual(
      one(
        "    - name: \"{{ n }} {{ ansible_loop.index }}/{{ ansible_loop.length }} {{ 'last' if ansible_loop.last else 'more' }}\"\n      command: echo\n      loop: [a, b]\n      loop_control: { index_var: n, extended: true }\n",
      ),
      ['0 1/2 more', '1 2/2 last'],
    );
  });
});

describe('keywords decided per host', () => {
  const p1 = (tasks: string, head = ''): HostPlan => plan({ 'site.yml': site(tasks, head) });
  it('templated ignore_errors and no_log are rendered with the host vars', () => {
    const p = p1(
      '    - command: "false"\n      ignore_errors: "{{ lenient }}"\n      no_log: "{{ not lenient }}"\n',
      '  vars: { lenient: true }\n',
    );
    assert.equal(p.tasks[0].ignoreErrors, true);
    assert.equal(p.tasks[0].noLog, false);
  });
  it('a templated become that renders true makes the host script run under sudo', () => {
    assert.equal(p1('    - command: id\n      become: "{{ want }}"\n', '  vars: { want: yes }\n').become, true);
    assert.equal(p1('    - command: id\n      become: "{{ want }}"\n', '  vars: { want: no }\n').become, false);
  });
  it('environment from play and task is exported in the task function, the task winning', () => {
    const p = p1(
      '    - command: env\n      environment: { B: "{{ b }}", A: task }\n',
      '  vars: { b: two }\n  environment: { A: play, C: "x y" }\n',
    );
    assert.match(p.tasks[0].body, /export A=task\n/);
    assert.match(p.tasks[0].body, /export B=two\n/);
    assert.match(p.tasks[0].body, /export C='x y'\n/);
  });
  it('become_user on a command runs it through runuser; on a file module it is refused at its line', () => {
    const p = p1('    - command: whoami\n      become: true\n      become_user: www-data\n');
    assert.match(p.tasks[0].body, /CHOM_BECOME_USER=www-data/);
    assert.throws(
      () => p1('    - copy: { content: x, dest: /tmp/x }\n      become: true\n      become_user: www-data\n'),
      /works on command and shell tasks only/,
    );
  });
  it('run_once: only the first host of the play gets the task', () => {
    const files = { 'site.yml': site('    - command: echo once\n      run_once: true\n    - command: echo all\n') };
    assert.equal(plan(files).tasks.length, 2);
  });
});

describe('connection and delegation', () => {
  it('connection: local on a play is refused for a host reached over ssh, at the keyword', () => {
    assert.throws(
      () => plan({ 'site.yml': '- hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n    - command: id\n' }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /connection: local, but host "web1" is reached over ssh/);
        assert.equal(e.loc?.line, 2);
        return true;
      },
    );
  });
  it('connection: local on a play of localhost plans as usual', () => {
    const p = plan({
      'hosts.yml': 'all:\n  hosts:\n    web1: { ansible_connection: local }\n',
      'site.yml': '- hosts: all\n  connection: local\n  gather_facts: false\n  tasks:\n    - command: id\n',
    });
    assert.equal(p.tasks.length, 1);
  });
  it('delegate_to is refused when the playbook loads, saying what to do instead', () => {
    assert.throws(
      () => plan({ 'site.yml': site('    - command: id\n      delegate_to: localhost\n') }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.match(e.message, /task keyword "delegate_to" is not supported/);
        assert.match(e.hint ?? '', /hosts: localhost/);
        assert.equal(e.loc?.line, 5);
        return true;
      },
    );
  });
});

describe('include_tasks of another OS', () => {
  const files = {
    'site.yml': site(
      "    - include_tasks: setup-RedHat.yml\n      when: ansible_os_family == 'RedHat'\n    - include_tasks: setup-Debian.yml\n      when: ansible_os_family == 'Debian'\n",
    ),
    'setup-Debian.yml': '- name: debian path\n  command: echo deb\n',
    'setup-RedHat.yml': '- name: redhat path\n  dnf: { name: httpd }\n',
  };
  it('a conditional include_tasks file that does not load fails only a host whose condition holds', () => {
    assert.deepEqual(names(plan(files, { ansible_facts: { os_family: 'Debian' } })), ['debian path']);
    assert.throws(
      () => plan(files, { ansible_facts: { os_family: 'RedHat' } }),
      /dnf exists in Ansible but is not implemented in chom-play yet/,
    );
  });
  it('without a condition the error stays a load error', () => {
    assert.throws(
      () => plan({ ...files, 'site.yml': site('    - include_tasks: setup-RedHat.yml\n') }),
      /dnf exists in Ansible but is not implemented in chom-play yet/,
    );
  });
});
