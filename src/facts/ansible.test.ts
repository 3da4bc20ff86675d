import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { factsScript, parseFacts } from './script.js';
import { ansibleFacts } from './ansible.js';
import { ansibleFactVars, ansibleFactsOf } from './names.js';

test('facts gathered with bash carry Ansible names and types (os_family, numbers stay numbers, prefix stays a string)', () => {
  const out = execFileSync('bash', ['-s'], { input: factsScript('MK') }).toString();
  const f = parseFacts('MK', out);
  const a = f.ansible_facts as Record<string, unknown>;
  assert.equal(a.system, 'Linux');
  assert.equal(a.os_family, 'Debian');
  assert.equal(a.pkg_mgr, 'apt');
  assert.equal(typeof a.memtotal_mb, 'number');
  assert.equal(typeof a.processor_vcpus, 'number');
  assert.equal(a.processor_vcpus, f.cpu);
  assert.match(String(a.distribution_major_version), /^\d+$/);
  assert.equal(typeof (a.date_time as Record<string, unknown>).epoch, 'string');
  assert.ok(Array.isArray(a.mounts));
  assert.equal(a.python, undefined);
  assert.equal(ansibleFactVars(f).ansible_os_family, 'Debian');
  assert.equal(ansibleFactsOf(f).cpu, f.cpu, 'native names stay reachable under ansible_facts');
});

test('Debian point release, codename and Ubuntu family follow Ansible', () => {
  const deb = ansibleFacts({ a_osr: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n', a_debver: '12.7\n', arch: 'x86_64' });
  assert.deepEqual(
    [deb.distribution, deb.distribution_version, deb.distribution_major_version, deb.distribution_minor_version, deb.distribution_release],
    ['Debian', '12', '12', '7', 'bookworm'],
  );
  const lsb = ansibleFacts({ a_osr: 'ID=debian\nVERSION_ID="12"\n', a_debver: '12.7\n', a_lsb: '1' });
  assert.equal(lsb.distribution_version, '12.7', 'with lsb_release installed Ansible reports the point release');
  assert.equal(deb.virtualization_type, 'NA');
  const ub = ansibleFacts({
    a_osr: 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n',
    arch: 'aarch64',
    a_container: 'systemd-nspawn',
  });
  assert.deepEqual([ub.os_family, ub.distribution, ub.distribution_major_version, ub.architecture], ['Debian', 'Ubuntu', '24', 'aarch64']);
  assert.equal(ub.virtualization_type, 'container');
  assert.equal(ub.virtualization_role, 'guest');
});

test('service_mgr: pid 1 named systemd is systemd; a shell as pid 1 falls back to /etc/init.d (sysvinit)', () => {
  assert.equal(ansibleFacts({ a_comm: 'systemd\n', a_svc: '1||1|0|0' }).service_mgr, 'systemd');
  assert.equal(ansibleFacts({ a_comm: 'bash\n', a_svc: '0||1|0|0' }).service_mgr, 'sysvinit');
  assert.equal(ansibleFacts({ a_comm: 'sshd\n', a_svc: '0||1|0|0' }).service_mgr, 'sshd');
});

test('default_ipv4 joins the route to a public address with the interface address', () => {
  const a = ansibleFacts({
    a_route: '8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0 \\    cache \n',
    a_addr: '2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever\n',
    a_link:
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\\    link/ether 02:00:00:00:00:05 brd ff:ff:ff:ff:ff:ff\n',
  });
  assert.deepEqual(a.default_ipv4, {
    interface: 'eth0',
    address: '10.0.0.5',
    gateway: '10.0.0.1',
    alias: 'eth0',
    broadcast: '10.0.0.255',
    netmask: '255.255.255.0',
    network: '10.0.0.0',
    prefix: '24',
    macaddress: '02:00:00:00:00:05',
    mtu: 1500,
    type: 'ether',
  });
  assert.deepEqual(a.all_ipv4_addresses, ['10.0.0.5']);
});
