/**
 * Facts end to end (issue 4): real hardware read over SSH from 10 lab hosts and written back
 * into a hand-commented inventory file, byte-preserving. Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { runCli, skipUnlessRoot } from './harness.js';

const NAME = `fct${process.pid % 10000}`;
let lab: Lab;
let project: string;
let invFile: string;
let original: string;

function inventoryText(l: Lab): string {
  const vars = parse(readFileSync(join(l.inventoryDir, 'hosts.yml'), 'utf8')).all.vars as Record<string, string>;
  const hosts = l.hosts
    .map((h, i) =>
      i % 3 === 0
        ? `    ${h.name}:   # rack ${i}\n      ansible_host: '${h.address}'\n`
        : `    ${h.name}: {ansible_host: "${h.address}"}\n`,
    )
    .join('');
  return `# Fleet inventory, maintained by hand.
# Comments, quoting and blank lines below must survive write-back.

all:
  vars:
    ansible_user: root          # lab hosts accept root
    ansible_ssh_private_key_file: ${vars.ansible_ssh_private_key_file}
    chom_known_hosts_file: ${join(l.inventoryDir, 'known_hosts')}
    ansible_timeout: 3

  hosts:
${hosts}    ghost:                      # declared, but nothing answers there
      ansible_host: ${l.hosts[0].address.replace(/\.\d+$/, '.250')}
      specs: {cpu: 64, memory_mb: 1, disk_gb: 1, detected_at: "2020-01-01T00:00:00Z"}
`;
}

before(async () => {
  if (skipUnlessRoot) return;
  project = mkdtempSync(join(tmpdir(), 'chom-facts-'));
  lab = await labUp({ name: NAME, hosts: 10, inventoryDir: join(project, 'lab-inventory') });
  invFile = join(project, 'fleet.yml');
  original = inventoryText(lab);
  writeFileSync(invFile, original);
});

after(async () => {
  if (!skipUnlessRoot) await labDown(NAME);
});

test(
  'facts of 10 hosts are gathered in parallel, all written back; the unreachable one is reported and untouched',
  { skip: skipUnlessRoot },
  async () => {
    const r = await runCli(['facts', '-i', 'fleet.yml'], project);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /^ghost\s+-.*UNREACHABLE/m);
    const inv = parse(readFileSync(invFile, 'utf8')).all.hosts as Record<string, { specs?: Record<string, unknown> }>;
    for (const h of lab.hosts) {
      assert.ok(inv[h.name].specs, `${h.name} has no specs`);
      assert.match(String(inv[h.name].specs!.detected_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    assert.deepEqual(inv.ghost.specs, { cpu: 64, memory_mb: 1, disk_gb: 1, detected_at: '2020-01-01T00:00:00Z' });
  },
);

test('detected cpu, memory_mb and disk_gb equal what nproc, /proc/meminfo and df say on the host', { skip: skipUnlessRoot }, async () => {
  const inv = parse(readFileSync(invFile, 'utf8')).all.hosts as Record<string, { specs: Record<string, number> }>;
  for (const h of lab.hosts.slice(0, 3)) {
    const r = await hostExec(
      lab,
      h.name,
      'nproc; awk \'/^MemTotal:/ {print int($2/1024)}\' /proc/meminfo; df -P -BG / | awk \'NR==2 {sub("G","",$2); print $2}\'',
    );
    const [cpu, mem, disk] = r.stdout.trim().split('\n').map(Number);
    assert.deepEqual([inv[h.name].specs.cpu, inv[h.name].specs.memory_mb, inv[h.name].specs.disk_gb], [cpu, mem, disk], h.name);
  }
});

test('every byte outside the specs blocks is preserved', { skip: skipUnlessRoot }, async () => {
  const after = readFileSync(invFile, 'utf8');
  const strip = (t: string) => t.replace(/\n {6}specs:\n( {8}.*\n)+/g, '\n').replace(/, specs: \{[^}]*\}/g, '');
  assert.equal(strip(after), strip(original));
  assert.match(after, /# Fleet inventory, maintained by hand\./);
  assert.match(after, /# rack 0\n {6}ansible_host: '198\.18\./);
});

test('a second gathering with unchanged hardware leaves the file untouched (content and mtime)', { skip: skipUnlessRoot }, async () => {
  const old = new Date('2021-06-01T00:00:00Z');
  utimesSync(invFile, old, old);
  const before = readFileSync(invFile, 'utf8');
  const r = await runCli(['facts', '-i', 'fleet.yml', '--limit', `${NAME}-*`], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(invFile, 'utf8'), before);
  assert.equal(statSync(invFile).mtimeMs, old.getTime());
});

test('declared specs that differ are warned about, then replaced by the detected ones', { skip: skipUnlessRoot }, async () => {
  const h = lab.hosts[1].name;
  writeFileSync(invFile, readFileSync(invFile, 'utf8').replace(new RegExp(`(${h}: \\{[^\\n]*specs: \\{cpu: )\\d+`), '$1999'));
  const r = await runCli(['facts', '-i', 'fleet.yml', '--limit', h], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`specs mismatch: ${h}: inventory says cpu=999 .* detected cpu=\\d+`));
  assert.doesNotMatch(readFileSync(invFile, 'utf8'), /cpu: 999/);
});

test('--check writes nothing and says what it would write', { skip: skipUnlessRoot }, async () => {
  const h = lab.hosts[2].name;
  writeFileSync(invFile, readFileSync(invFile, 'utf8').replace(new RegExp(`(${h}: \\{[^\\n]*specs: \\{cpu: )\\d+`), '$1777'));
  const before = readFileSync(invFile, 'utf8');
  const r = await runCli(['facts', '-i', 'fleet.yml', '--limit', h, '--check'], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`would write specs of ${h}`));
  assert.equal(readFileSync(invFile, 'utf8'), before);
});

test('a role requiring more memory than the host has fails that host only, before any of its tasks', { skip: skipUnlessRoot }, async () => {
  mkdirSync(join(project, 'roles', 'big', 'meta'), { recursive: true });
  mkdirSync(join(project, 'roles', 'big', 'tasks'), { recursive: true });
  writeFileSync(join(project, 'roles', 'big', 'meta', 'main.yml'), 'requires: {memory_mb: 100000000}\n');
  writeFileSync(
    join(project, 'roles', 'big', 'tasks', 'main.yml'),
    '- name: Never on a small host\n  copy: {content: "x", dest: /root/big-ran}\n',
  );
  const [h1, h2, h3] = lab.hosts.map((h) => h.name);
  writeFileSync(
    join(project, 'req.yml'),
    `- hosts: ${h1}\n  roles: [big]\n- hosts: ${h1}:${h2}:${h3}\n  gather_facts: false\n  tasks:\n    - name: Others go on\n      copy: {content: "y", dest: /root/others-ran}\n`,
  );
  const r = await runCli(['req.yml', '-i', 'fleet.yml', '--no-write-facts'], project);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`host ${h1}: role big requires memory_mb >= 100000000, the host has \\d+`));
  assert.equal((await hostExec(lab, h1, 'ls /root')).stdout.includes('big-ran'), false);
  assert.equal((await hostExec(lab, h1, 'ls /root')).stdout.includes('others-ran'), false);
  for (const h of [h2, h3]) assert.match((await hostExec(lab, h, 'ls /root')).stdout, /others-ran/);
});
