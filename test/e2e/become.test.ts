/**
 * become decided once: every Ansible spelling of ansible_become / ansible_sudo makes the script
 * run under `sudo -n` when the login user is not root, and `render` says how it will run.
 * One plain lab host with a non-root login user `deploy` (passwordless sudo) made here; needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { runCli, skipUnlessRoot } from './harness.js';

const NAME = `bec${process.pid % 10000}`;
let lab: Lab;
let project: string;
let deployUid: string;

/** Inventory host names: one per spelling, all pointing at the same lab host. */
const SPELLINGS: Record<string, string> = {
  b_true: 'ansible_become: "True"',
  b_on: 'ansible_become: "on"',
  b_sudo: 'ansible_sudo: yes',
  b_none: 'ansible_become: "no"',
};

before(async () => {
  if (skipUnlessRoot) return;
  project = mkdtempSync(join(tmpdir(), 'chom-become-'));
  lab = await labUp({ name: NAME, hosts: 1, inventoryDir: join(project, 'lab-inv') });
  const h = lab.hosts[0];
  const setup = await hostExec(
    lab,
    h.name,
    [
      'set -e',
      'id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash deploy',
      'install -d -m 700 -o deploy -g deploy /home/deploy/.ssh',
      'install -m 600 -o deploy -g deploy /root/.ssh/authorized_keys /home/deploy/.ssh/authorized_keys',
      "echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy",
      'id -u deploy',
    ].join('\n'),
  );
  assert.equal(setup.code, 0, setup.stderr);
  deployUid = setup.stdout.trim();
  assert.notEqual(deployUid, '0');
  const hosts = Object.entries(SPELLINGS)
    .map(([n, v]) => `    ${n}: { ${v} }`)
    .join('\n');
  writeFileSync(
    join(project, 'hosts.yml'),
    [
      'all:',
      '  vars:',
      '    ansible_user: deploy',
      `    ansible_host: ${h.address}`,
      ...(h.port === 22 ? [] : [`    ansible_port: ${h.port}`]),
      `    ansible_ssh_private_key_file: ${lab.keyFile}`,
      `    chom_known_hosts_file: ${lab.knownHostsFile}`,
      '  hosts:',
      hosts,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(project, 'site.yml'),
    [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: Record who runs the script',
      '      shell: "id -u > /tmp/uid-{{ inventory_hostname }}"',
      '',
    ].join('\n'),
  );
});

after(async () => {
  if (!skipUnlessRoot) await labDown(NAME);
});

test(
  'ansible_become "True", "on" and ansible_sudo: yes run the script under sudo -n; "no" runs as the login user',
  { skip: skipUnlessRoot },
  async () => {
    // One host at a time: all four names are the same machine, whose run lock admits one script.
    const r = await runCli(['site.yml', '-i', 'hosts.yml', '-f', '1'], project);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const got = await hostExec(
      lab,
      lab.hosts[0].name,
      'for h in b_true b_on b_sudo b_none; do printf \'%s %s %s\\n\' $h "$(cat /tmp/uid-$h)" "$(stat -c %u /tmp/uid-$h)"; done',
    );
    assert.equal(got.stdout, `b_true 0 0\nb_on 0 0\nb_sudo 0 0\nb_none ${deployUid} ${deployUid}\n`);
  },
);

test('render says in the script header how it will run: login user and sudo -n', { skip: skipUnlessRoot }, async () => {
  for (const [host, how] of [
    ['b_on', 'login user deploy, become: sudo -n -- bash -s'],
    ['b_none', 'login user deploy, no become'],
  ]) {
    const r = await runCli(['render', 'site.yml', '-i', 'hosts.yml', '-H', host, '--no-facts'], project);
    assert.equal(r.code, 0, r.stderr);
    const header = r.stdout.split('\n').slice(0, 4).join('\n');
    assert.ok(header.includes(`# runs as: ${how}`), header);
  }
});
