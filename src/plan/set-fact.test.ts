import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { loadInventory } from '../inventory/index.js';
import type { Vars } from '../inventory/model.js';
import { loadPlaybook } from '../playbook/index.js';
import { Redactor } from '../secrets/index.js';
import { createTemplateContext } from '../template/index.js';
import { addVaultSecret, resetVault } from '../vault/keyring.js';
import { encryptVault } from '../vault/format.js';
import { planHost, type HostPlan } from './plan.js';
import { sharedMagic } from './vars.js';

const dirs: string[] = [];
after(() => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  resetVault();
});

const DEBIAN: Vars = { ansible_facts: { distribution: 'Debian', os_family: 'Debian', distribution_major_version: '12' } };

function plan(files: Record<string, string>, facts: Vars | undefined = DEBIAN, redactor = new Redactor()): HostPlan {
  const root = mkdtempSync(join(tmpdir(), 'chom-setfact-'));
  dirs.push(root);
  const all: Record<string, string> = { 'hosts.yml': 'all:\n  hosts:\n    web1: {}\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const playbook = loadPlaybook(join(root, 'site.yml'));
  const inventory = loadInventory(join(root, 'hosts.yml'));
  const factMap = new Map<string, Vars>(facts ? [['web1', facts]] : []);
  const ctx = {
    playbook,
    inventory,
    extraVars: {},
    env: {},
    facts: factMap,
    selected: new Map(),
    bodyCache: new Map(),
    tmpl: createTemplateContext(root, {}, redactor),
  };
  return planHost(ctx, playbook.plays[0], 'web1', ['web1'], sharedMagic(inventory, factMap));
}

const site = (tasks: string, head = ''): string => `- hosts: all\n  gather_facts: false\n${head}  tasks:\n${tasks}`;
const errOf = (fn: () => unknown): InputError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail('planning succeeded');
};
const bodies = (p: HostPlan): string => p.tasks.map((t) => t.body).join('\n');

describe('set_fact applied on the controller in task order', () => {
  it('later tasks see the fact; earlier ones do not; the host reports ok', () => {
    const p = plan({
      'site.yml': site(
        '    - command: echo {{ port | default("none") }}\n' +
          '    - set_fact: { port: "{{ base + 1 }}", cacheable: true }\n' +
          '    - command: echo {{ port }}\n',
        '  vars: { base: 8079 }\n',
      ),
    });
    assert.match(p.tasks[0].body, /echo none/);
    assert.match(p.tasks[1].body, /chom_ok 'set port'/);
    assert.match(p.tasks[2].body, /echo 8080/);
  });

  it('key=value form turns yes/true into booleans, as Ansible does', () => {
    const p = plan({
      'site.yml': site('    - set_fact: enabled=yes label=x\n    - command: echo {{ enabled is sameas true }} {{ label }}\n'),
    });
    assert.match(p.tasks[1].body, /echo [Tt]rue x/);
  });

  it('a loop accumulates: each item sees the facts set by the one before', () => {
    const p = plan({
      'site.yml': site(
        '    - set_fact: { acc: "{{ acc | default([]) + [item * 2] }}" }\n      loop: [1, 2, 3]\n    - command: echo {{ acc | join(",") }}\n',
      ),
    });
    assert.match(p.tasks[3].body, /echo 2,4,6/);
  });

  it('a false when skips it (the fact stays unset)', () => {
    const p = plan({ 'site.yml': site('    - set_fact: { x: 1 }\n      when: false\n    - command: echo {{ x | default("unset") }}\n') });
    assert.equal(p.tasks[0].when, 'false');
    assert.match(p.tasks[1].body, /echo unset/);
  });

  it('set_fact wins over play vars', () => {
    const p = plan({ 'site.yml': site('    - set_fact: { v: fact }\n    - command: echo {{ v }}\n', '  vars: { v: play }\n') });
    assert.match(p.tasks[1].body, /echo fact/);
  });

  it('a value that needs a registered result is a clear error at the argument', () => {
    const e = errOf(() =>
      plan({
        'site.yml': site('    - command: cat /etc/hostname\n      register: out\n    - set_fact:\n        name: "{{ out.stdout }}"\n'),
      }),
    );
    assert.match(e.message, /set_fact "name" uses the registered result "out", which is only known while the host runs/);
    assert.match(e.message, /segments are not built yet/);
    assert.equal(e.loc?.line, 7);
  });

  it('a when on a registered result is refused the same way', () => {
    const e = errOf(() =>
      plan({ 'site.yml': site('    - command: "true"\n      register: r\n    - set_fact: { a: 1 }\n      when: r.rc == 0\n') }),
    );
    assert.match(e.message, /set_fact when: uses a registered result/);
  });
});

describe('lazy variables', () => {
  it('an unused default that cannot be evaluated never fails', () => {
    const p = plan({
      'site.yml': site('    - command: echo {{ ok }}\n', '  vars: { ok: fine, broken: "{{ undefined_thing | bogus_filter }}" }\n'),
    });
    assert.match(p.tasks[0].body, /echo fine/);
  });
  it('used, it fails naming the variable', () => {
    const e = errOf(() =>
      plan({ 'site.yml': site('    - command: echo {{ broken }}\n', '  vars: { broken: "{{ undefined_thing }}" }\n') }),
    );
    assert.match(e.message, /in variable "broken": variable "undefined_thing" is not defined/);
  });
});

const osRole = {
  'roles/osd/defaults/main.yml': 'osd_pkg: "{{ __osd_pkg }}"\nosd_conf: "{{ __osd_conf_dir }}/osd.conf"\n',
  'roles/osd/vars/Debian.yml': '__osd_pkg: deb-pkg\n__osd_conf_dir: /etc/deb\n',
  'roles/osd/vars/RedHat.yml': '__osd_pkg: rpm-pkg\n__osd_conf_dir: /etc/rh\n',
  'roles/osd/vars/default.yml': '__osd_pkg: generic\n__osd_conf_dir: /etc/generic\n',
  'roles/osd/tasks/main.yml':
    '- name: OS variables\n  include_vars: "{{ item }}"\n  with_first_found:\n' +
    '    - "{{ ansible_distribution }}.yml"\n    - "{{ ansible_os_family }}.yml"\n    - default.yml\n' +
    '- command: echo {{ osd_pkg }} {{ osd_conf }}\n',
};

describe('include_vars and first_found (the OS-dispatch preamble)', () => {
  it('with_first_found picks the distribution file from the role vars/', () => {
    const p = plan({ ...osRole, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' });
    assert.match(p.tasks[0].name, /OS variables \(item=.*roles\/osd\/vars\/Debian\.yml\)/);
    assert.match(p.tasks[1].body, /echo deb-pkg \/etc\/deb\/osd\.conf/);
  });
  it('falls back to the family, then to default.yml', () => {
    const ubuntu = { ansible_facts: { distribution: 'Ubuntu', os_family: 'Debian' } };
    assert.match(bodies(plan({ ...osRole, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' }, ubuntu)), /echo deb-pkg/);
    const arch = { ansible_facts: { distribution: 'Archlinux', os_family: 'Archlinux' } };
    assert.match(
      bodies(plan({ ...osRole, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' }, arch)),
      /echo generic \/etc\/generic/,
    );
  });
  it('no candidate found is an error at with_first_found listing where it looked; skip: true allows none', () => {
    const role = { ...osRole, 'roles/osd/vars/default.yml': '' };
    const tasks = '- include_vars: "{{ item }}"\n  with_first_found:\n    - "{{ ansible_distribution }}-x.yml"\n';
    const e = errOf(() =>
      plan({ ...role, 'roles/osd/tasks/main.yml': tasks, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' }),
    );
    assert.match(e.message, /with_first_found: no file was found/);
    assert.match(e.hint ?? '', /Debian-x\.yml/);
    const skip = '- include_vars: "{{ item }}"\n  with_first_found:\n    - files: ["{{ ansible_distribution }}-x.yml"]\n      skip: true\n';
    const p = plan({ ...role, 'roles/osd/tasks/main.yml': skip, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' });
    assert.equal(p.tasks.length, 0);
  });
  it("lookup('first_found') with files and paths, and query() in a template value", () => {
    const tasks =
      "- include_vars: \"{{ lookup('first_found', {'files': [ansible_distribution ~ '.yml', 'default.yml'], 'paths': [role_path ~ '/vars']}) }}\"\n" +
      "- command: echo {{ osd_pkg }} {{ query('first_found', ['nope.yml'], skip=True) | length }}\n";
    const p = plan({ ...osRole, 'roles/osd/tasks/main.yml': tasks, 'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [osd]\n' });
    assert.match(p.tasks[1].body, /echo deb-pkg 0/);
  });
  it('file, name, dir with files_matching and depth', () => {
    const p = plan({
      'vars/one.yml': 'a: 1\n',
      'vars/conf.d/10-a.yml': 'x: first\ny: 1\n',
      'vars/conf.d/20-b.yml': 'x: second\n',
      'vars/conf.d/notes.txt': 'skipped by files_matching, then by ignore_unknown_extensions\n',
      'vars/conf.d/sub/30-c.yml': 'x: deep\n',
      'site.yml': site(
        '    - include_vars: { file: one.yml, name: bundle }\n' +
          '    - include_vars: { dir: conf.d, files_matching: "^[0-9]+-", depth: 1 }\n' +
          '    - command: echo {{ bundle.a }} {{ x }} {{ y }}\n' +
          '    - include_vars: { dir: conf.d, extensions: [yml], ignore_unknown_extensions: true }\n' +
          '    - command: echo {{ x }}\n',
      ),
    });
    assert.match(p.tasks[2].body, /echo 1 second 1/);
    assert.match(p.tasks[4].body, /echo deep/);
  });
  it('a file that does not exist is an error at the argument', () => {
    const e = errOf(() => plan({ 'site.yml': site('    - include_vars:\n        file: nope.yml\n') }));
    assert.match(e.message, /include_vars: cannot find vars file "nope.yml"/);
    assert.equal(e.loc?.line, 5);
  });
  it('vault-encrypted values of an included file reach the redactor', () => {
    resetVault();
    addVaultSecret('default', 'pw');
    const redactor = new Redactor();
    const enc = encryptVault('db_password: s3cret-included\n', Buffer.from('pw'));
    plan({ 'vars/secret.yml': enc, 'site.yml': site('    - include_vars: secret.yml\n    - command: echo ok\n') }, DEBIAN, redactor);
    assert.equal(redactor.redact('pw is s3cret-included'), 'pw is ********');
    resetVault();
  });
});

describe('vars_files with alternatives', () => {
  it('a list entry reads the first file that exists, templated with the host facts', () => {
    const p = plan({
      'vars/Debian.yml': 'pkg: from-debian\n',
      'vars/defaults.yml': 'pkg: from-defaults\nother: 2\n',
      'vars/common.yml': 'common: 1\n',
      'site.yml': site(
        '    - command: echo {{ pkg }} {{ common }}\n',
        '  vars_files:\n    - vars/common.yml\n    - ["vars/{{ ansible_os_family }}.yml", vars/defaults.yml]\n',
      ),
    });
    assert.match(p.tasks[0].body, /echo from-debian 1/);
    const q = plan({
      'vars/defaults.yml': 'pkg: from-defaults\n',
      'site.yml': site('    - command: echo {{ pkg }}\n', '  vars_files:\n    - ["vars/{{ ansible_os_family }}.yml", vars/defaults.yml]\n'),
    });
    assert.match(q.tasks[0].body, /echo from-defaults/);
  });
  it('none found is an error at the entry naming what was tried', () => {
    const e = errOf(() =>
      plan({ 'site.yml': site('    - command: "true"\n', '  vars_files:\n    - ["vars/{{ ansible_os_family }}.yml", vars/x.yml]\n') }),
    );
    assert.match(e.message, /vars_files: none of .* was found/);
    assert.match(e.hint ?? '', /vars\/Debian\.yml/);
    assert.equal(e.loc?.line, 4);
  });
});

describe('set_fact where the plan cannot know whether it runs', () => {
  it('as a handler it is refused at the handler', () => {
    const e = errOf(() =>
      plan({
        'site.yml': site(
          '    - command: "true"\n      notify: remember\n',
          '  handlers:\n    - name: remember\n      set_fact: { done: true }\n',
        ),
      }),
    );
    assert.match(e.message, /handler "remember": set_fact as a handler runs only when notified/);
    assert.equal(e.loc?.line, 4);
  });
});

describe('planning before facts are gathered (preflight)', () => {
  it("a first_found over ansible_facts['...'] counts as a missing fact, not an error", async () => {
    const { isMissingFact } = await import('../run/runner.js');
    const tasks = '- include_vars: "{{ item }}"\n  with_first_found:\n    - "{{ ansible_facts[\'os_family\'] }}.yml"\n';
    const noFacts = { ansible_facts: {} };
    const e = errOf(() => plan({ ...osRole, 'roles/osd/tasks/main.yml': tasks, 'site.yml': '- hosts: all\n  roles: [osd]\n' }, noFacts));
    assert.ok(isMissingFact(e), e.message);
    assert.ok(!isMissingFact(new InputError('variable "nope" is not defined')));
  });
});

describe('precedence of set_fact', () => {
  it('a set_fact wins over a task var of the same name', () => {
    const p = plan({ 'site.yml': site('    - set_fact: { v: fact }\n    - command: echo {{ v }}\n      vars: { v: task }\n') });
    assert.match(p.tasks[1].body, /echo fact/);
  });
  it('task vars are seen by role defaults that use them (lazy)', () => {
    const p = plan({
      'roles/r/defaults/main.yml': 'url: "http://{{ host }}/"\nhost: default-host\n',
      'roles/r/tasks/main.yml': '- command: echo {{ url }}\n  vars: { host: task-host }\n- command: echo {{ url }}\n',
      'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [r]\n',
    });
    assert.match(p.tasks[0].body, /echo http:\/\/task-host\//);
    assert.match(p.tasks[1].body, /echo http:\/\/default-host\//);
  });
});

describe('set facts last for the rest of the playbook', () => {
  it('a fact set in one play is seen by the next play; planning again starts empty', () => {
    const root = mkdtempSync(join(tmpdir(), 'chom-setfact-'));
    dirs.push(root);
    writeFileSync(join(root, 'hosts.yml'), 'all:\n  hosts:\n    web1: {}\n');
    writeFileSync(
      join(root, 'site.yml'),
      site('    - set_fact: { n: "{{ n | default(0) + 1 }}" }\n') + site('    - command: echo {{ n }}\n'),
    );
    const playbook = loadPlaybook(join(root, 'site.yml'));
    const inventory = loadInventory(join(root, 'hosts.yml'));
    const facts = new Map<string, Vars>();
    const ctx = {
      playbook,
      inventory,
      extraVars: {},
      env: {},
      facts,
      selected: new Map(),
      bodyCache: new Map(),
      tmpl: createTemplateContext(root, {}, new Redactor()),
    };
    const both = (): string =>
      playbook.plays.map((pl) => bodies(planHost(ctx, pl, 'web1', ['web1'], sharedMagic(inventory, facts)))).join('\n');
    assert.match(both(), /echo 1\b/);
    assert.match(both(), /echo 1\b/, 'a second planning of the same host does not count twice');
  });
});

describe('with_first_found for template sources', () => {
  it('looks in the role templates/ and the found path is used as the source', () => {
    const p = plan({
      'roles/t/templates/Debian.conf.j2': 'debian {{ ansible_distribution_major_version }}\n',
      'roles/t/templates/default.conf.j2': 'other\n',
      'roles/t/tasks/main.yml':
        '- template:\n    src: "{{ item }}"\n    dest: /etc/t.conf\n  with_first_found:\n    - "{{ ansible_distribution }}.conf.j2"\n    - default.conf.j2\n',
      'site.yml': '- hosts: all\n  gather_facts: false\n  roles: [t]\n',
    });
    assert.equal(p.tasks.length, 1);
    assert.match(p.tasks[0].body, new RegExp(Buffer.from('debian 12\n').toString('base64')));
  });
});
