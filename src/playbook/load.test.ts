import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatLoc, InputError } from '../errors.js';
import { loadPlaybookWith } from './load.js';
import type { Task } from './model.js';
import { selectByTags } from './tags.js';
import { fakeModules, makeTree, removeTree } from './testkit.js';

const SITE = `- name: Web servers
  hosts: web
  tags: [site]
  vars:
    port: 80
  vars_files:
    - vars/common.yml
  pre_tasks:
    - name: Update apt cache
      apt: update_cache=yes cache_valid_time=3600
  roles:
    - common
    - role: nginx
      tags: web
      vars:
        nginx_port: 8080
  tasks:
    - name: Say hello
      command: echo hello chdir=/tmp
      tags: hello
    - import_tasks: extra.yml
      tags: extra
      when: do_extra
  post_tasks:
    - ansible.builtin.shell: systemctl is-active nginx
      changed_when: false
      tags: [always]
  handlers:
    - name: restart nginx
      service: name=nginx state=restarted
      listen: web restart
`;

const EXTRA = `- name: Extra file
  file: path=/tmp/extra state=touch
- block:
    - name: In block
      copy:
        content: hi
        dest: /tmp/b
      notify: web restart
  when: in_block
  tags: blocky
  become: yes
`;

const PROJECT: Record<string, string> = {
  'playbooks/site.yml': SITE,
  'playbooks/vars/common.yml': 'port: 81\nadmin: root\n',
  'playbooks/extra.yml': EXTRA,
  'roles/common/tasks/main.yml': '- name: Common packages\n  apt:\n    name: [curl, vim]\n    state: present\n',
  'roles/common/defaults/main.yml': 'common_x: 1\n',
  'roles/base_users/tasks/main.yml': '- name: Users\n  command: id {{ who }}\n',
  'roles/nginx/meta/main.yml': 'dependencies:\n  - role: common\n  - role: base_users\n    vars: {who: www}\nrequires:\n  memory_mb: 512\n',
  'roles/nginx/defaults/main.yml': 'nginx_port: 80\n',
  'roles/nginx/tasks/main.yml': '- name: Install nginx\n  apt: name=nginx\n  notify: restart nginx\n- include_tasks: config.yml\n',
  'roles/nginx/tasks/config.yml':
    '- name: Nginx config\n  template:\n    src: nginx.conf.hbs\n    dest: /etc/nginx/nginx.conf\n  notify: [reload nginx]\n',
  'roles/nginx/handlers/main.yml': '- name: reload nginx\n  service:\n    name: nginx\n    state: reloaded\n',
  'roles/nginx/templates/nginx.conf.hbs': 'listen {{nginx_port}};\n',
};

const roots: string[] = [];
after(() => roots.forEach(removeTree));
function project(files: Record<string, string>): string {
  const root = makeTree(files);
  roots.push(root);
  return root;
}

describe('loading a two-role playbook', () => {
  const root = project(PROJECT);
  const pb = loadPlaybookWith(join(root, 'playbooks/site.yml'), { modules: fakeModules() });
  const play = pb.plays[0];
  const byName = (n: string): Task => {
    const t = play.tasks.find((x) => x.name === n);
    assert.ok(t, `task ${n} missing`);
    return t;
  };

  it('uses the parent of playbooks/ as project dir', () => {
    assert.equal(pb.baseDir, root);
    assert.equal(pb.file, join(root, 'playbooks/site.yml'));
  });

  it('runs pre_tasks, dependencies, roles, tasks, includes and post_tasks in Ansible order', () => {
    assert.deepEqual(
      play.tasks.map((t) => t.name),
      [
        'Update apt cache',
        'Common packages',
        'Users',
        'Install nginx',
        'Nginx config',
        'Say hello',
        'Extra file',
        'In block',
        'shell: systemctl is-active nginx',
      ],
    );
  });

  it('runs a dependency already listed with the same params only once', () => {
    assert.deepEqual(
      play.roles.map((r) => r.name),
      ['common', 'base_users', 'nginx'],
    );
    assert.deepEqual(play.roles[1].params, { who: 'www' });
  });

  it('inherits play, role, include and block tags', () => {
    assert.deepEqual(byName('Common packages').tags, ['site']);
    assert.deepEqual(byName('Users').tags, ['site', 'web'], 'a dependency inherits the tags of the role that needs it');
    assert.deepEqual(byName('Nginx config').tags, ['site', 'web']);
    assert.deepEqual(byName('Say hello').tags, ['site', 'hello']);
    assert.deepEqual(byName('Extra file').tags, ['site', 'extra']);
    assert.deepEqual(byName('In block').tags, ['site', 'extra', 'blocky']);
  });

  it('inherits when and become from includes and blocks', () => {
    assert.deepEqual(byName('Extra file').when, ['do_extra']);
    assert.deepEqual(byName('In block').when, ['do_extra', 'in_block']);
    assert.equal(byName('In block').become, true);
    assert.equal(byName('Extra file').become, undefined);
  });

  it('parses key=value and free-form arguments, normalising yes and numbers', () => {
    assert.deepEqual(byName('Update apt cache').args, { update_cache: true, cache_valid_time: 3600 });
    assert.deepEqual(byName('Say hello').args, { cmd: 'echo hello', chdir: '/tmp' });
    assert.deepEqual(byName('Extra file').args, { path: '/tmp/extra', state: 'touch' });
  });

  it('normalises ansible.builtin names and aliases and names unnamed tasks', () => {
    const t = byName('shell: systemctl is-active nginx');
    assert.equal(t.module, 'shell');
    assert.equal(t.changedWhen, false);
    assert.equal(play.handlers[1].module, 'systemd');
  });

  it('collects role handlers before play handlers, with listen', () => {
    assert.deepEqual(
      play.handlers.map((h) => h.name),
      ['reload nginx', 'restart nginx'],
    );
    assert.deepEqual(play.handlers[1].listen, ['web restart']);
    assert.equal(play.handlers[0].role?.name, 'nginx');
  });

  it('keeps role data: defaults, params, meta requires, templates dir, and links tasks to their role', () => {
    const nginx = play.roles[2];
    assert.deepEqual(nginx.defaults, { nginx_port: 80 });
    assert.deepEqual(nginx.params, { nginx_port: 8080 });
    assert.deepEqual(nginx.meta.requires, { memory_mb: 512 });
    assert.equal(nginx.templatesDir, join(root, 'roles/nginx/templates'));
    assert.equal(byName('Install nginx').role, nginx);
    assert.equal(byName('Say hello').role, undefined);
  });

  it('merges vars_files over play vars', () => {
    assert.deepEqual(play.vars, { port: 81, admin: 'root' });
    assert.equal(play.gatherFacts, true);
  });

  it('records where each task was written', () => {
    assert.deepEqual(byName('Install nginx').loc, { file: 'roles/nginx/tasks/main.yml', line: 1, col: 3 });
    assert.deepEqual(byName('In block').loc, { file: 'playbooks/extra.yml', line: 4, col: 7 });
  });

  it('lists every file it read', () => {
    for (const f of [
      'playbooks/site.yml',
      'playbooks/vars/common.yml',
      'playbooks/extra.yml',
      'roles/nginx/meta/main.yml',
      'roles/nginx/tasks/config.yml',
      'roles/nginx/handlers/main.yml',
      'roles/base_users/tasks/main.yml',
    ]) {
      assert.ok(pb.files.includes(join(root, f)), f);
    }
    assert.equal(new Set(pb.files).size, pb.files.length);
  });

  it('selects role tasks and always tasks with --tags web', () => {
    assert.deepEqual(
      selectByTags(play.tasks, ['web'], []).map((t) => t.name),
      ['Users', 'Install nginx', 'Nginx config', 'shell: systemctl is-active nginx'],
    );
  });
});

describe('import_playbook and play options', () => {
  it('imports a playbook relative to the importing one, with its tags', () => {
    const root = project({
      'site.yml':
        '- import_playbook: sub/web.yml\n  tags: imported\n- hosts: db\n  gather_facts: no\n  serial: 2\n  tasks:\n    - command: ls\n',
      'sub/web.yml': '- hosts: web\n  tasks:\n    - command: uptime\n',
    });
    const pb = loadPlaybookWith(join(root, 'site.yml'), { modules: fakeModules() });
    assert.equal(pb.baseDir, root);
    assert.deepEqual(
      pb.plays.map((p) => p.hosts),
      ['web', 'db'],
    );
    assert.deepEqual(pb.plays[0].tasks[0].tags, ['imported']);
    assert.equal(pb.plays[0].name, 'web');
    assert.equal(pb.plays[1].gatherFacts, false);
    assert.deepEqual(pb.plays[1].serial, [2]);
    assert.deepEqual(pb.plays[1].tasks[0].tags, []);
  });

  it('keeps with_items terms raw for the planner (which flattens one level) and keeps loop_var and extras', () => {
    const root = project({
      'site.yml': `- hosts: all
  tasks:
    - apt: name={{ pkg }}
      with_items: [[a, b], c]
      loop_control: {loop_var: pkg}
      retries: 3
      register: out
      no_log: true
      vars: {x: 1}
`,
    });
    const t = loadPlaybookWith(join(root, 'site.yml'), { modules: fakeModules() }).plays[0].tasks[0];
    assert.deepEqual(t.loop, [['a', 'b'], 'c']);
    assert.equal(t.loopWith, 'items');
    assert.equal(t.loopVar, 'pkg');
    assert.equal(t.register, 'out');
    assert.equal(t.noLog, true);
    assert.equal(t.retries, 3);
    assert.deepEqual(t.vars, { x: 1 });
    assert.equal(t.name, 'apt: {{ pkg }}');
  });

  it('keeps a multi-line shell script byte for byte', () => {
    const root = project({ 'site.yml': '- hosts: all\n  tasks:\n    - shell: |\n        set -e\n        echo  "a  b"\n' });
    const t = loadPlaybookWith(join(root, 'site.yml'), { modules: fakeModules() }).plays[0].tasks[0];
    assert.deepEqual(t.args, { cmd: 'set -e\necho  "a  b"\n' });
  });
});

describe('roles listed as mappings', () => {
  it('applies when and tags to the role, its dependencies and its handlers; runs distinct params twice', () => {
    const root = project({
      'playbooks/site.yml': `- hosts: all
  roles:
    - role: app
      when: deploy_app
      tags: [app]
      vars: {port: 1}
    - role: app
      vars: {port: 2}
`,
      'roles/app/meta/main.yml': 'dependencies: [base]\n',
      'roles/base/tasks/main.yml': '- command: base\n',
      'roles/app/tasks/main.yml': '- command: app {{ port }}\n  notify: restart app\n',
      'roles/app/handlers/main.yml': '- name: restart app\n  command: restart\n',
    });
    const play = loadPlaybookWith(join(root, 'playbooks/site.yml'), { modules: fakeModules() }).plays[0];
    assert.deepEqual(
      play.roles.map((r) => `${r.name}:${JSON.stringify(r.params)}`),
      ['base:{}', 'app:{"port":1}', 'app:{"port":2}'],
    );
    assert.deepEqual(
      play.tasks.map((t) => [t.name, t.when, t.tags]),
      [
        ['command: base', ['deploy_app'], ['app']],
        ['command: app {{ port }}', ['deploy_app'], ['app']],
        ['command: app {{ port }}', [], []],
      ],
    );
    assert.deepEqual(play.roles[1].when, ['deploy_app']);
    assert.equal(play.handlers.length, 1, 'a role listed twice contributes its handlers once');
    assert.deepEqual(play.handlers[0].when, ['deploy_app']);
  });

  it('refuses role parameters outside vars:', () => {
    const root = project({
      'playbooks/site.yml': '- hosts: all\n  roles:\n    - {role: app, port: 80}\n',
      'roles/app/tasks/main.yml': '- command: app\n',
    });
    assert.throws(
      () => loadPlaybookWith(join(root, 'playbooks/site.yml'), { modules: fakeModules() }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(formatLoc(e.loc), 'playbooks/site.yml:3:19');
        assert.match(e.message, /unknown role entry keyword "port".*role parameters go under vars:/);
        return true;
      },
    );
  });

  it('loads a role with only defaults (no tasks) and finds roles next to the playbook first', () => {
    const root = project({
      'site.yml': '- hosts: all\n  roles: [only_defaults]\n',
      'roles/only_defaults/defaults/main.yaml': 'x: 1\n',
    });
    const pb = loadPlaybookWith(join(root, 'site.yml'), { modules: fakeModules() });
    assert.deepEqual(pb.plays[0].roles[0].defaults, { x: 1 });
    assert.deepEqual(pb.plays[0].tasks, []);
  });
});
