/**
 * End-to-end tests of `chom-play lab`: real hosts on this machine. They need root; without it
 * they are reported as skipped with the reason. Each test uses its own lab name so test files
 * can run concurrently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { labUp, labDown, labStatus, hostExec, loadLab, type Lab } from '../../src/lab/index.js';
import { readState } from '../../src/lab/state.js';
import { labDataDir } from '../../src/lab/paths.js';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const skip = root ? false : 'needs root (the lab mounts filesystems and creates network namespaces)';
const tag = String(process.pid % 100000);

function sh(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a command on a host with the system ssh client, trusting only the inventory's known_hosts. */
async function ssh(lab: Lab, host: string, command: string) {
  const inv = parse(readFileSync(join(lab.inventoryDir, 'hosts.yml'), 'utf8')) as {
    all: { vars: Record<string, string>; hosts: Record<string, { ansible_host: string }> };
  };
  const vars = inv.all.vars;
  return sh('ssh', [
    '-i',
    vars.ansible_ssh_private_key_file,
    '-o',
    `UserKnownHostsFile=${join(lab.inventoryDir, vars.chom_known_hosts_file)}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    `${vars.ansible_user}@${inv.all.hosts[host].ansible_host}`,
    command,
  ]);
}

interface Snapshot {
  mounts: string;
  netns: string;
  links: string;
  filter: string;
  nat: string;
  ipForward: string;
}

async function snapshot(): Promise<Snapshot> {
  return {
    mounts: readFileSync('/proc/mounts', 'utf8'),
    netns: (await sh('ip', ['netns', 'list'])).stdout,
    links: (await sh('ip', ['-o', 'link', 'show'])).stdout,
    filter: (await sh('iptables', ['-w', '5', '-S'])).stdout,
    nat: (await sh('iptables', ['-w', '5', '-t', 'nat', '-S'])).stdout,
    ipForward: readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'),
  };
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** Everything the lab recorded or created is gone; machine-wide rules too when no other lab is up. */
async function assertNothingLeft(name: string, before: Snapshot, pids: number[], slot: number): Promise<void> {
  for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(pids.filter(alive), [], 'processes of the lab still running');
  const after = await snapshot();
  const dataDir = labDataDir(name);
  assert.ok(!after.mounts.includes(dataDir), `mounts left under ${dataDir}`);
  assert.ok(!after.netns.split('\n').some((l) => l.startsWith(`chom-${name}-`)), `netns left: ${after.netns}`);
  assert.ok(!new RegExp(`: chl${slot}(br|h\\d+)[@:]`).test(after.links), `links left: ${after.links}`);
  assert.ok(!existsSync(dataDir), `${dataDir} left`);
  assert.equal(readState(name), undefined, 'state left');
  const others = (await labStatus()).length > 0;
  const othersBefore = before.filter.includes('CHOM-LAB');
  if (!others && !othersBefore) {
    assert.equal(after.filter, before.filter, 'iptables filter rules changed');
    assert.equal(after.nat, before.nat, 'iptables nat rules changed');
    assert.equal(after.ipForward, before.ipForward, 'ip_forward not restored');
    // Nothing else changed either: same mounts, namespaces and links as before the lab.
    assert.equal(after.netns, before.netns);
  }
}

function labPids(name: string): { pids: number[]; slot: number } {
  const s = readState(name);
  assert.ok(s, `no state for lab ${name}`);
  const procs = [...s.procs, ...s.hosts.map((h) => h.proc)].filter((p) => p !== undefined);
  const pids = procs.map((p) => p.pid);
  for (const p of procs) {
    try {
      pids.push(...readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* gone */
    }
  }
  return { pids, slot: s.slot };
}

test(
  'lab up 3 hosts: reachable over ssh with strict host keys, isolated files and hostnames; down leaves nothing',
  { skip, timeout: 120_000 },
  async () => {
    const name = `tplain${tag}`;
    const before = await snapshot();
    try {
      const lab = await labUp({ name, hosts: 3, inventoryDir: `/tmp/chom-lab-test-${name}` });
      assert.deepEqual(
        lab.hosts.map((h) => h.name),
        [`${name}-1`, `${name}-2`, `${name}-3`],
      );
      assert.deepEqual(loadLab(name)?.hosts, lab.hosts);
      for (const h of lab.hosts) assert.match(h.address, /^198\.1[89]\./);
      const names = [];
      for (const h of lab.hosts) {
        const r = await ssh(lab, h.name, 'hostname');
        assert.equal(r.code, 0, `ssh to ${h.name} failed: ${r.stderr}`);
        names.push(r.stdout.trim());
      }
      assert.deepEqual(
        names,
        lab.hosts.map((h) => h.name),
        'each host answers with its own hostname',
      );
      const w = await ssh(lab, `${name}-1`, 'echo marker > /root/only-here');
      assert.equal(w.code, 0, w.stderr);
      assert.equal((await hostExec(lab, `${name}-1`, 'cat /root/only-here')).stdout, 'marker\n');
      for (const other of [`${name}-2`, `${name}-3`]) {
        const r = await hostExec(lab, other, 'test -e /root/only-here && echo present || echo absent');
        assert.equal(r.stdout.trim(), 'absent', `file written on ${name}-1 visible on ${other}`);
      }
      const status = (await labStatus()).find((l) => l.name === name);
      assert.ok(status && status.hosts.every((h) => h.running));
      const { pids, slot } = labPids(name);
      await labDown(name);
      await assertNothingLeft(name, before, pids, slot);
      await labDown(name); // idempotent
    } finally {
      await labDown(name);
    }
  },
);

test('lab up --systemd: hosts boot systemd (running or degraded); down leaves nothing', { skip, timeout: 180_000 }, async () => {
  const name = `tsd${tag}`;
  const before = await snapshot();
  try {
    const lab = await labUp({ name, hosts: 3, systemd: true, inventoryDir: `/tmp/chom-lab-test-${name}` });
    for (const h of lab.hosts) {
      const r = await ssh(lab, h.name, 'timeout 60 systemctl is-system-running --wait; hostname');
      const [state, host] = r.stdout.trim().split('\n');
      assert.match(state, /^(running|degraded)$/, `${h.name}: ${r.stdout} ${r.stderr}`);
      assert.equal(host, h.name);
    }
    const { pids, slot } = labPids(name);
    await labDown(name);
    await assertNothingLeft(name, before, pids, slot);
  } finally {
    await labDown(name);
  }
});

test('a lab host installs a Debian package with apt; other hosts stay without it', { skip, timeout: 180_000 }, async () => {
  const name = `tapt${tag}`;
  try {
    const lab = await labUp({ name, hosts: 2, inventoryDir: `/tmp/chom-lab-test-${name}` });
    const r = await ssh(
      lab,
      `${name}-1`,
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tree >/dev/null && tree --version',
    );
    assert.equal(r.code, 0, `apt failed: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^tree v/);
    const other = await hostExec(lab, `${name}-2`, 'command -v tree || echo none');
    assert.equal(other.stdout.trim(), 'none');
  } finally {
    await labDown(name);
  }
});

test('lab down cleans up after an up that was killed half-way', { skip, timeout: 120_000 }, async () => {
  const name = `tcrash${tag}`;
  const before = await snapshot();
  const index = fileURLToPath(new URL('../../src/lab/index.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(index)}).then((m) => m.labUp({ name: ${JSON.stringify(name)}, hosts: 4, inventoryDir: '/tmp/chom-lab-test-${name}' }))`,
    ],
    { stdio: 'ignore' },
  );
  // Kill it as soon as it has created something (state written), wherever it is.
  for (let i = 0; i < 200 && !readState(name)?.hosts.some((h) => h.proc); i++) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const { pids, slot } = readState(name) ? labPids(name) : { pids: [], slot: -1 };
  await labDown(name);
  await assertNothingLeft(name, before, pids, slot);
});

test('labDown of a lab that never existed is a no-op', { skip }, async () => {
  await labDown(`tnever${tag}`);
  assert.equal(readState(`tnever${tag}`), undefined);
});
