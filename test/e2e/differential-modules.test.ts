/**
 * Differential tests against Ansible (issue 12 items 1 and 4). Twin lab hosts: `ans` gets
 * python3 and is driven by ansible-playbook; `chom` is driven by chom-play (bash only). Facts are
 * compared on the SAME host (chom-play gathers on `ans` too: bash needs nothing Python has), so
 * host-specific values (hostname, addresses, mounts) must be equal, not just alike.
 * Needs root (the lab) and /usr/bin/ansible-playbook.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { recap, runCli, skipUnlessRoot } from './harness.js';
import { ansibleInventory, ansiblePlaybook, ansibleSetup, canon, endState, installPython } from './differential.js';

const NAME = `dif${process.pid % 10000}`;
const skip = skipUnlessRoot || (existsSync('/usr/bin/ansible-playbook') ? false : 'needs ansible-core (.ci/setup installs it)');
let lab: Lab;
let project: string;

/** Facts whose values must be identical to Ansible's setup output on the same host. */
const SAME_VALUE = [
  'os_family', 'distribution', 'distribution_version', 'distribution_major_version', 'distribution_release',
  'architecture', 'machine', 'system', 'kernel', 'kernel_version', 'hostname', 'nodename', 'fqdn', 'domain',
  'processor_vcpus', 'processor_count', 'processor_cores', 'processor_threads_per_core', 'processor_nproc', 'processor',
  'memtotal_mb', 'swaptotal_mb', 'service_mgr', 'pkg_mgr', 'default_ipv4', 'default_ipv6',
  'user_id', 'user_uid', 'user_gid', 'user_dir', 'user_shell', 'user_gecos',
  'virtualization_type', 'virtualization_role', 'is_chroot', 'machine_id', 'dns', 'userspace_bits', 'fips', 'apparmor',
];
/** Same set of values, order aside (Ansible lists interfaces in /sys order). */
const SAME_SET = ['interfaces', 'all_ipv4_addresses', 'all_ipv6_addresses'];

const FACTS_PLAY = `- hosts: all
  gather_facts: true
  tasks:
    - name: write what chom-play knows under Ansible's names
      template:
        src: facts.json.hbs
        dest: /root/chom-facts.json
`;

const MODULES_PLAY = `- hosts: all
  gather_facts: "{{ not skip_facts | default(false) }}"
  vars:
    wanted: tree
    tolerate: true
  tasks:
    - name: OS dispatch on Ansible's fact names
      assert:
        that:
          - ansible_os_family == 'Debian'
          - ansible_facts.distribution == 'Debian'
          - ansible_distribution_major_version == '12'
        fail_msg: not Debian 12
    - name: show the release
      debug:
        var: ansible_distribution_release
    - name: stop anything that is not Linux
      fail:
        msg: not Linux
      when: ansible_system != 'Linux'
    - name: gather again
      setup:
        gather_subset: [min]
    - name: package index
      apt:
        update_cache: true
      changed_when: false
    - name: a package through the generic module
      package:
        name: ["{{ wanted }}", cron]
        state: present
    - name: a file from facts
      copy:
        dest: /root/os.txt
        mode: '0640'
        content: "{{ ansible_os_family }} {{ ansible_distribution }} {{ ansible_distribution_major_version }} {{ ansible_distribution_release }} {{ ansible_architecture }} {{ ansible_system }} {{ ansible_pkg_mgr }} {{ ansible_user_id }} {{ ansible_service_mgr }}\\n"
    - name: a command whose output is asserted at run time
      command: echo hello
      register: out
      changed_when: false
    - name: assert on a registered result
      assert:
        that: out.stdout == 'hello'
    - name: a config file to edit (once)
      copy:
        force: false
        dest: /etc/app.conf
        content: "# ports\\nhttp=80\\nname = web\\nhttps=443\\n[db]\\nport=5432\\n"
    - name: every match before the db section, Python backrefs
      replace:
        path: /etc/app.conf
        regexp: '^(?P<key>\\w+)=(\\d+)$'
        replace: '\\g<key> = \\g<2>0'
        before: '\\[db\\]'
    - name: a job in a cron file
      cron:
        name: backup
        minute: "5"
        hour: "3"
        user: root
        job: /usr/local/bin/backup --quiet
        cron_file: chom-backup
    - name: a job in root's crontab
      cron:
        name: cleanup
        special_time: daily
        job: find /tmp -mtime +7 -delete
    - name: a job removed again
      cron:
        name: gone
        job: /bin/true
        cron_file: chom-gone
        user: root
        state: absent
    - name: a failure tolerated by templated ignore_errors, its output hidden by templated no_log
      command: /bin/false
      # Ansible counts a failed, ignored command as changed in its recap; chom-play does not.
      changed_when: false
      ignore_errors: "{{ tolerate }}"
      no_log: "{{ tolerate }}"
    - name: permanent host name
      hostname:
        name: "{{ inventory_hostname }}-renamed"
`;

before(async () => {
  if (skip) return;
  project = mkdtempSync(join(tmpdir(), 'chom-differential-'));
  mkdirSync(join(project, 'playbooks'));
  writeFileSync(join(project, 'playbooks', 'facts.yml'), FACTS_PLAY);
  writeFileSync(join(project, 'playbooks', 'modules.yml'), MODULES_PLAY);
  writeFileSync(join(project, 'playbooks', 'facts.json.hbs'), '{{to_json ansible_facts}}\n');
  lab = await labUp({ name: NAME, hosts: 2, inventoryDir: join(project, 'inventory') });
  await installPython(lab, lab.hosts[0]);
});

after(async () => {
  if (!skip) await labDown(NAME);
});

test("chom-play's ansible_* facts equal Ansible's setup output on the same host", { skip }, async () => {
  const ans = lab.hosts[0];
  const inv = ansibleInventory(lab, ans, project);
  const theirs = await ansibleSetup(inv, ans.name, project);
  const r = await runCli(['run', 'playbooks/facts.yml', '-i', 'inventory', '--limit', ans.name], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ours = JSON.parse((await hostExec(lab, ans.name, 'cat /root/chom-facts.json')).stdout) as Record<string, unknown>;
  const diffs: string[] = [];
  for (const k of SAME_VALUE) if (canon(ours[k]) !== canon(theirs[k])) diffs.push(`${k}: ansible ${canon(theirs[k])} chom-play ${canon(ours[k])}`);
  for (const k of SAME_SET) {
    const s = (v: unknown) => canon(Array.isArray(v) ? [...v].sort() : v);
    if (s(ours[k]) !== s(theirs[k])) diffs.push(`${k}: ansible ${s(theirs[k])} chom-play ${s(ours[k])}`);
  }
  const mountKey = (m: Record<string, unknown>) => `${m.mount} ${m.device} ${m.fstype} ${m.options} ${m.block_total} ${m.inode_total} ${Object.keys(m).sort().join(',')}`;
  const mounts = (v: unknown) => canon(((v ?? []) as Array<Record<string, unknown>>).map(mountKey).sort());
  if (mounts(ours.mounts) !== mounts(theirs.mounts)) diffs.push(`mounts: ansible ${mounts(theirs.mounts)} chom-play ${mounts(ours.mounts)}`);
  const keys = (v: unknown) => canon(Object.keys((v ?? {}) as object).sort());
  if (keys(ours.date_time) !== keys(theirs.date_time)) diffs.push(`date_time keys: ansible ${keys(theirs.date_time)} chom-play ${keys(ours.date_time)}`);
  for (const k of ['tz', 'tz_offset', 'date']) {
    const a = (theirs.date_time as Record<string, unknown>)[k], o = (ours.date_time as Record<string, unknown>)[k];
    if (a !== o) diffs.push(`date_time.${k}: ansible ${String(a)} chom-play ${String(o)}`);
  }
  for (const k of ['memfree_mb', 'swapfree_mb']) if (typeof ours[k] !== typeof theirs[k]) diffs.push(`${k} type`);
  const env = (ours.env ?? {}) as Record<string, string>, tenv = (theirs.env ?? {}) as Record<string, string>;
  for (const k of ['HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH']) if (env[k] !== tenv[k]) diffs.push(`env.${k}: ansible ${tenv[k]} chom-play ${env[k]}`);
  assert.equal(ours.python, undefined, 'no Python facts: there is no Python on a chom-play host');
  assert.deepEqual(diffs, []);
});

test('assert, debug, fail, setup, package, replace, cron, hostname, templated ignore_errors/no_log and Ansible fact names: same end state as ansible-playbook; second run changes nothing', { skip }, async () => {
  const [ans, chom] = lab.hosts;
  const inv = ansibleInventory(lab, ans, project);
  const a = await ansiblePlaybook(inv, 'playbooks/modules.yml', project);
  assert.equal(a.res.code, 0, a.res.stdout.slice(-3000) + a.res.stderr);
  const c = await runCli(['run', 'playbooks/modules.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  const paths = ['/root/os.txt', '/usr/bin/tree', '/etc/app.conf', '/etc/cron.d/chom-backup', '/etc/cron.d/chom-gone'];
  assert.equal(await endState(lab, chom.name, paths, ['tree', 'cron']), await endState(lab, ans.name, paths, ['tree', 'cron']));
  // crontab(1) stamps its own header (temp file name, time): compare the jobs.
  const jobs = async (h: string) => (await hostExec(lab, h, "crontab -l -u root | grep -v '^# '")).stdout;
  assert.equal(await jobs(chom.name), await jobs(ans.name));
  assert.equal(recap(c.stdout)[chom.name]?.changed, a.recap[ans.name]?.changed, 'the same number of tasks changed');
  assert.equal(recap(c.stdout)[chom.name]?.failed ?? 0, 0);
  assert.equal(recap(c.stdout)[chom.name]?.ignored, a.recap[ans.name]?.ignored, 'the same failures ignored');
  const name = async (h: string) => (await hostExec(lab, h, 'cat /etc/hostname')).stdout;
  assert.equal(await name(chom.name), `${chom.name}-renamed\n`);
  assert.equal(await name(ans.name), `${ans.name}-renamed\n`);
  const again = await runCli(['run', 'playbooks/modules.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(recap(again.stdout)[chom.name]?.changed, 0);
});

test('a false assertion fails the host with fail_msg, as in Ansible; check mode runs assertions too', { skip }, async () => {
  const chom = lab.hosts[1];
  writeFileSync(join(project, 'playbooks', 'bad.yml'), `- hosts: all
  tasks:
    - assert:
        that:
          - ansible_os_family == 'RedHat'
        fail_msg: "this role needs RedHat, found {{ ansible_os_family }}"
`);
  for (const extra of [[], ['--check']]) {
    const r = await runCli(['run', 'playbooks/bad.yml', '-i', 'inventory', '--limit', chom.name, ...extra], project);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /this role needs RedHat, found Debian/);
  }
});

test('timezone leaves what community.general.timezone leaves on Debian without systemd; check mode changes nothing; second run ok', { skip }, async () => {
  const chom = lab.hosts[1];
  writeFileSync(join(project, 'playbooks', 'tz.yml'), `- hosts: all
  gather_facts: false
  tasks:
    - timezone:
        name: Europe/Paris
`);
  const state = async () => (await hostExec(lab, chom.name, 'readlink /etc/localtime; cat /etc/timezone')).stdout;
  const before = await state();
  const check = await runCli(['run', 'playbooks/tz.yml', '-i', 'inventory', '--limit', chom.name, '--check', '--output', 'json'], project);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.equal(recap(check.stdout)[chom.name]?.changed, 1);
  assert.equal(await state(), before);
  const r = await runCli(['run', 'playbooks/tz.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await state(), '/usr/share/zoneinfo/Europe/Paris\nEurope/Paris\n');
  const again = await runCli(['run', 'playbooks/tz.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(recap(again.stdout)[chom.name]?.changed, 0);
});

test('sysctl writes the file, applies it (sysctl -p, sysctl -w) in the host only; second run ok', { skip }, async () => {
  const chom = lab.hosts[1];
  writeFileSync(join(project, 'playbooks', 'sysctl.yml'), `- hosts: all
  gather_facts: false
  tasks:
    - ansible.posix.sysctl:
        name: net.ipv4.ip_forward
        value: "1"
        sysctl_file: /etc/sysctl.d/99-chom.conf
        sysctl_set: true
`);
  const r = await runCli(['run', 'playbooks/sysctl.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((await hostExec(lab, chom.name, 'cat /etc/sysctl.d/99-chom.conf; sysctl -n net.ipv4.ip_forward')).stdout, 'net.ipv4.ip_forward=1\n1\n');
  const again = await runCli(['run', 'playbooks/sysctl.yml', '-i', 'inventory', '--limit', chom.name, '--output', 'json'], project);
  assert.equal(recap(again.stdout)[chom.name]?.changed, 0, again.stdout);
});
