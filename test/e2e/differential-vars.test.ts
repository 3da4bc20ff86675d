/**
 * Differential test against Ansible for variables resolved on the controller (issue 12 item 2):
 * an OS-dispatch role written here (include_vars over with_first_found on the distribution, then
 * the family, then default.yml), include_vars dir/name, set_fact (with a loop that accumulates),
 * lookup('first_found'), vars_files alternatives and an unused default that cannot be evaluated.
 * Twin lab hosts: `ans` (python3) driven by ansible-playbook, `chom` by chom-play; the files each
 * wrote are compared, then a second chom-play run must change nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { recap, runCli, skipUnlessRoot } from './harness.js';
import { ansibleInventory, endState, installPython } from './differential.js';
import { execFile } from 'node:child_process';

/** ansible-playbook with its default output (the json callback is not in ansible-core): the recap's changed=N. */
function ansiblePlaybook(
  inventory: string,
  playbook: string,
  cwd: string,
): Promise<{ code: number; out: string; changed: number | undefined }> {
  return new Promise((resolve) => {
    const env = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_RETRY_FILES_ENABLED: '0' };
    execFile('ansible-playbook', ['-i', inventory, playbook], { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const m = /:\s+ok=\d+\s+changed=(\d+)/.exec(stdout);
      resolve({ code: err ? 1 : 0, out: stdout + stderr, changed: m ? Number(m[1]) : undefined });
    });
  });
}

const NAME = `dv${process.pid % 10000}`;
const skip = skipUnlessRoot || (existsSync('/usr/bin/ansible-playbook') ? false : 'needs ansible-core (.ci/setup installs it)');
let lab: Lab;
let project: string;

const FILES: Record<string, string> = {
  'playbooks/site.yml': `- hosts: all
  gather_facts: true
  vars_files:
    - ["vars/{{ ansible_os_family }}-site.yml", vars/site-default.yml]
  roles:
    - osdispatch
  tasks:
    - name: play-level result
      copy:
        dest: "{{ osd_conf_dir }}/site.txt"
        content: "{{ site_tag }} {{ osd_summary }}\\n"
        mode: "0644"
`,
  'playbooks/vars/Debian-site.yml': 'site_tag: from-debian-site\n',
  'playbooks/vars/site-default.yml': 'site_tag: from-site-default\n',
  'playbooks/roles/osdispatch/defaults/main.yml': `osd_conf_dir: "{{ __osd_conf_dir }}"
osd_greeting: "{{ __osd_greeting }}"
osd_never_used: "{{ this_is_never_defined.anywhere }}"
`,
  'playbooks/roles/osdispatch/vars/Debian.yml': '__osd_conf_dir: /etc/osd-debian\n__osd_greeting: "hello {{ ansible_os_family }}"\n',
  'playbooks/roles/osdispatch/vars/RedHat.yml': '__osd_conf_dir: /etc/osd-redhat\n__osd_greeting: hello redhat\n',
  'playbooks/roles/osdispatch/vars/default.yml': '__osd_conf_dir: /etc/osd-default\n__osd_greeting: hello other\n',
  'playbooks/roles/osdispatch/vars/tiers/10-base.yml': 'tier: base\nport: 80\n',
  'playbooks/roles/osdispatch/vars/tiers/20-web.yml': 'tier: web\n',
  'playbooks/roles/osdispatch/tasks/main.yml': `- name: OS-specific variables
  include_vars: "{{ item }}"
  with_first_found:
    - "{{ ansible_distribution }}-{{ ansible_distribution_major_version }}.yml"
    - "{{ ansible_distribution }}.yml"
    - "{{ ansible_os_family }}.yml"
    - default.yml
- name: tier variables
  include_vars:
    dir: tiers
    name: osd_tier
- name: derived facts
  set_fact:
    osd_summary: "{{ osd_greeting }} {{ osd_tier.tier }}:{{ osd_tier.port + 1 }} {{ ansible_distribution_major_version }}"
    osd_enabled: "yes"
- name: accumulate
  set_fact:
    osd_list: "{{ osd_list | default([]) + [item | upper] }}"
  loop: [a, b, c]
- name: config dir
  file:
    path: "{{ osd_conf_dir }}"
    state: directory
    mode: "0755"
- name: summary
  copy:
    dest: "{{ osd_conf_dir }}/summary.txt"
    mode: "0640"
    content: |
      {{ osd_summary }}
      enabled={{ osd_enabled | ternary('on', 'off') }}
      list={{ osd_list | join(',') }}
      fallback={{ lookup('first_found', {'files': ['nope.yml', 'default.yml'], 'paths': [role_path ~ '/vars']}) | basename }}
`,
};

before(async () => {
  if (skip) return;
  project = mkdtempSync(join(tmpdir(), 'chom-difvars-'));
  for (const [rel, text] of Object.entries(FILES)) {
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
  'OS-dispatch role with include_vars, with_first_found, set_fact and vars_files alternatives: same files as ansible-playbook; second run changes nothing',
  { skip },
  async () => {
    const [ans, chom] = lab.hosts;
    const inv = ansibleInventory(lab, ans, project);
    const a = await ansiblePlaybook(inv, 'playbooks/site.yml', project);
    assert.equal(a.code, 0, a.out.slice(-3000));
    const c = await runCli(['run', 'playbooks/site.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    const paths = ['/etc/osd-debian', '/etc/osd-debian/summary.txt', '/etc/osd-debian/site.txt', '/etc/osd-default'];
    assert.equal(await endState(lab, chom.name, paths, []), await endState(lab, ans.name, paths, []));
    const summary = (await hostExec(lab, chom.name, 'cat /etc/osd-debian/summary.txt /etc/osd-debian/site.txt')).stdout;
    assert.equal(
      summary,
      'hello Debian web:81 12\nenabled=on\nlist=A,B,C\nfallback=default.yml\nfrom-debian-site hello Debian web:81 12\n',
    );
    assert.equal(recap(c.stdout)[chom.name]?.changed, a.changed, 'the same number of tasks changed');
    const again = await runCli(['run', 'playbooks/site.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal(recap(again.stdout)[chom.name]?.changed, 0);
  },
);
