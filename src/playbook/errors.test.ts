import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatLoc, InputError } from '../errors.js';
import { loadPlaybookWith } from './load.js';
import { fakeModules, makeTree, removeTree } from './testkit.js';

const roots: string[] = [];
after(() => roots.forEach(removeTree));

/** Loads playbooks/site.yml of a fresh project and returns the InputError it must raise. */
function failure(files: Record<string, string>): { where: string; message: string; hint?: string } {
  const root = makeTree(files);
  roots.push(root);
  try {
    loadPlaybookWith(join(root, 'playbooks/site.yml'), { modules: fakeModules() });
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return { where: formatLoc(err.loc), message: err.message, hint: err.hint };
  }
  assert.fail('the playbook loaded without error');
}

const site = (tasks: string): Record<string, string> => ({ 'playbooks/site.yml': `- hosts: all\n  tasks:\n${tasks}` });

describe('playbook errors name file:line:col and what is wrong', () => {
  it('misspelt module argument points at the argument with a suggestion', () => {
    const e = failure(site('    - name: Install nginx\n      apt:\n        nmae: nginx\n'));
    assert.equal(e.where, 'playbooks/site.yml:5:9');
    assert.equal(e.message, 'task "Install nginx": apt has no argument "nmae"; did you mean "name"?');
  });

  it('misspelt argument in key=value form points at the module key', () => {
    const e = failure(site('    - name: Install nginx\n      apt: nmae=nginx\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.match(e.message, /apt has no argument "nmae"; did you mean "name"\?/);
  });

  it('YAML syntax error gives the position of the problem', () => {
    const e = failure({ 'playbooks/site.yml': '- hosts: all\n  tasks:\n    - name: x\n     command: ls\n' });
    assert.match(e.message, /^YAML syntax error/);
    assert.equal(e.where, 'playbooks/site.yml:4:1');
  });

  it('YAML syntax error in a role file names that file', () => {
    const e = failure({
      'playbooks/site.yml': '- hosts: all\n  roles: [web]\n',
      'roles/web/tasks/main.yml': '- name: "unterminated\n  command: ls\n',
    });
    assert.match(e.where, /^roles\/web\/tasks\/main\.yml:\d+:\d+$/);
    assert.match(e.message, /^YAML syntax error/);
  });

  it('unknown module is reported at its key with a suggestion', () => {
    const e = failure(site('    - name: Install nginx\n      aptt: name=nginx\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.equal(e.message, 'unknown module "aptt"; did you mean "apt"?');
  });

  it('unknown module without a close match lists the supported ones', () => {
    const e = failure(site('    - frobnicate: msg=hi\n'));
    assert.equal(e.where, 'playbooks/site.yml:3:7');
    assert.equal(e.message, 'unknown module "frobnicate"');
    assert.match(e.hint ?? '', /supported modules: apt, command/);
  });

  it('undefined role is reported where it is referenced, listing where it looked', () => {
    const e = failure({
      'playbooks/site.yml': '- hosts: all\n  roles:\n    - common\n    - role: webserver\n',
      'roles/common/tasks/main.yml': '- command: ls\n',
      'roles/webservers/tasks/main.yml': '- command: ls\n',
    });
    assert.equal(e.where, 'playbooks/site.yml:4:13');
    assert.equal(e.message, 'role "webserver" not found; did you mean "webservers"?');
    // Beside the playbook first, then the project's roles/, then roles_path (Ansible's order).
    assert.match(
      e.hint ?? '',
      /^looked in: playbooks\/roles\/webserver, roles\/webserver, .*\/etc\/ansible\/roles\/webserver, playbooks\/webserver /,
    );
  });

  it('undefined dependency role is reported in the meta file', () => {
    const e = failure({
      'playbooks/site.yml': '- hosts: all\n  roles: [web]\n',
      'roles/web/meta/main.yml': 'dependencies:\n  - nothere\n',
    });
    assert.equal(e.where, 'roles/web/meta/main.yml:2:5');
    assert.match(e.message, /role "nothere" not found/);
  });

  it('unknown task keyword is reported at the key with a suggestion', () => {
    const e = failure(site('    - nmae: Install nginx\n      apt: name=nginx\n'));
    assert.equal(e.where, 'playbooks/site.yml:3:7');
    assert.equal(e.message, 'task "apt": unknown task keyword "nmae"; did you mean "name"?');
  });

  it('unknown play keyword is reported with a suggestion', () => {
    const e = failure({ 'playbooks/site.yml': '- hosts: all\n  gather_fact: no\n' });
    assert.equal(e.where, 'playbooks/site.yml:2:3');
    assert.equal(e.message, 'unknown play keyword "gather_fact"; did you mean "gather_facts"?');
  });

  it('an Ansible keyword chom-play lacks is named as unsupported', () => {
    const e = failure(site('    - command: ls\n      delegate_to: localhost\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.equal(e.message, 'task "command": task keyword "delegate_to" is not supported by chom-play');
  });

  it('notify without a matching handler points at the notify entry', () => {
    const e = failure({
      'playbooks/site.yml':
        '- hosts: all\n  tasks:\n    - name: Conf\n      copy: content=x dest=/x\n      notify:\n        - restart ngnix\n  handlers:\n    - name: restart nginx\n      service: name=nginx state=restarted\n',
    });
    assert.equal(e.where, 'playbooks/site.yml:6:11');
    assert.equal(
      e.message,
      'task "Conf" notifies "restart ngnix", but no handler has that name or listens to it; did you mean "restart nginx"?',
    );
  });

  it('a bad choice lists the allowed values', () => {
    const e = failure(site('    - name: Pkg\n      apt:\n        name: nginx\n        state: installed\n'));
    assert.equal(e.where, 'playbooks/site.yml:6:9');
    assert.equal(e.message, 'task "Pkg": apt argument "state" must be one of "present", "absent", "latest"; got "installed"');
  });

  it('a missing required argument is named at the module key', () => {
    const e = failure(site('    - name: Write\n      copy:\n        content: x\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.equal(e.message, 'task "Write": copy requires argument "dest"');
  });

  it('a wrong type says what was expected', () => {
    const e = failure(site('    - name: Svc\n      service:\n        name: nginx\n        enabled: maybe\n'));
    assert.equal(e.where, 'playbooks/site.yml:6:9');
    assert.equal(e.message, 'task "Svc": systemd argument "enabled" must be a boolean, got "maybe"');
  });

  it('two modules in one task are refused', () => {
    const e = failure(site('    - name: Both\n      apt: name=x\n      command: ls\n'));
    assert.equal(e.where, 'playbooks/site.yml:5:7');
    assert.match(e.message, /has two modules, "apt" and "command"/);
  });

  it('a task without a module is refused', () => {
    const e = failure(site('    - name: Nothing\n      when: x\n'));
    assert.equal(e.where, 'playbooks/site.yml:3:7');
    assert.match(e.message, /task "Nothing": has no module/);
  });

  it('import_tasks with a loop is refused at the loop key, pointing to include_tasks', () => {
    const e = failure({ ...site('    - import_tasks: more.yml\n      loop: [1, 2]\n'), 'playbooks/more.yml': '- command: ls\n' });
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.match(e.message, /import_tasks cannot loop/);
    assert.match(e.hint ?? '', /include_tasks/);
  });

  it('a missing included file lists where it looked', () => {
    const e = failure(site('    - import_tasks: nope.yml\n'));
    assert.equal(e.where, 'playbooks/site.yml:3:21');
    assert.equal(e.message, 'cannot find task file "nope.yml"');
  });

  it('rescue without block is refused at its key', () => {
    const e = failure(site('    - command: ls\n      rescue:\n        - command: "true"\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.match(e.message, /"rescue:" belongs to a block/);
  });

  it('a wrong keyword type in a play names the key', () => {
    const e = failure({ 'playbooks/site.yml': '- hosts: all\n  become: perhaps\n' });
    assert.equal(e.where, 'playbooks/site.yml:2:3');
    assert.equal(e.message, '"become" must be a boolean (true/false, yes/no), got "perhaps"');
  });

  it('a play without hosts is refused', () => {
    const e = failure({ 'playbooks/site.yml': '- name: web\n  tasks: []\n' });
    assert.equal(e.where, 'playbooks/site.yml:1:3');
    assert.equal(e.message, 'play "web": play needs "hosts"');
  });

  it('a misspelt requirement in role meta is reported there', () => {
    const e = failure({
      'playbooks/site.yml': '- hosts: all\n  roles: [db]\n',
      'roles/db/meta/main.yml': 'requires:\n  memory: 2048\n',
    });
    assert.equal(e.where, 'roles/db/meta/main.yml:2:3');
    assert.equal(e.message, 'role "db": unknown key "memory" in "requires"; did you mean "memory_mb"?');
  });

  it('a vars_files alternative that is not a file name is refused (templated names are read per host)', () => {
    const e = failure({ 'playbooks/site.yml': '- hosts: all\n  vars_files:\n    - ["vars/{{ env }}.yml", 3]\n' });
    assert.equal(e.where, 'playbooks/site.yml:3:7');
    assert.match(e.message, /vars_files alternatives must be file names, got/);
  });

  it('become_user other than root is refused on a file module, at its key', () => {
    const e = failure(site('    - copy: { content: x, dest: /tmp/x }\n      become_user: www\n'));
    assert.equal(e.where, 'playbooks/site.yml:4:7');
    assert.match(e.message, /become_user "www" works on command and shell tasks only/);
  });

  it('an include cycle is refused', () => {
    const e = failure({
      ...site('    - import_tasks: a.yml\n'),
      'playbooks/a.yml': '- import_tasks: b.yml\n',
      'playbooks/b.yml': '- import_tasks: a.yml\n',
    });
    assert.equal(e.where, 'playbooks/b.yml:1:17');
    assert.match(e.message, /include cycle/);
  });
});
