import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatLoc, InputError } from '../errors.js';
import { makeTree, removeTree } from './testkit.js';

// Against the real modules of src/modules/ (through the public entry point).
const api = await import('./index.js');

const SITE = `- name: Web
  hosts: web
  become: true
  tasks:
    - name: Install nginx
      ansible.builtin.apt: name=nginx state=present update_cache=yes cache_valid_time=3600
    - name: Web user
      user:
        name: www
    - name: Start nginx
      service: name=nginx state=started enabled=yes
    - name: Check
      ansible.legacy.command: nginx -t chdir=/etc/nginx
      changed_when: false
`;

describe('loadPlaybook with the real modules', () => {
  const root = makeTree({
    'playbooks/site.yml': SITE,
    'playbooks/bad.yml': '- hosts: all\n  tasks:\n    - name: Install nginx\n      apt:\n        nmae: nginx\n',
  });
  after(() => removeTree(root));

  it('loads an Ansible-style playbook unchanged', () => {
    const pb = api.loadPlaybook(api.resolvePlaybookPath('site.yml', root));
    const t = pb.plays[0].tasks;
    assert.deepEqual(
      t.map((x) => x.module),
      ['apt', 'user', 'systemd', 'command'],
    );
    assert.deepEqual(t[3].args, { cmd: 'nginx -t', chdir: '/etc/nginx' });
    assert.equal(pb.plays[0].become, true);
  });

  it('reports a misspelt argument as the issue describes', () => {
    assert.throws(
      () => api.loadPlaybook(join(root, 'playbooks/bad.yml')),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(
          `${formatLoc(e.loc)}: ${e.message}`,
          'playbooks/bad.yml:5:9: task "Install nginx": apt has no argument "nmae"; did you mean "name"?',
        );
        return true;
      },
    );
  });

  it('validateArgs accepts templates before rendering and checks rendered values', () => {
    const pb = api.loadPlaybook(join(root, 'playbooks/site.yml'));
    const task = pb.plays[0].tasks[0];
    api.validateArgs(task, { name: '{{ pkgs }}', state: '{{ st }}' }, false);
    assert.throws(
      () => api.validateArgs(task, { name: 'nginx', state: 'installed' }, true),
      /apt argument "state" must be one of "present", "absent", "latest"; got "installed"/,
    );
  });
});
