/**
 * Lab hosts for the benchmark, driven through the real CLI (`chom-play lab up/down`).
 * Ansible needs Python on the hosts and chom-play does not, so the bench gives the lab its own
 * cache dir (CHOM_LAB_CACHE_DIR) whose rootfs is the lab's rootfs plus python3, built once:
 * installing python3 per host through apt would take minutes at 40 hosts, and every first run
 * gets fresh hosts.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sh, cliEnv, CLI } from './proc.js';

export const BENCH_CACHE = process.env.CHOM_BENCH_CACHE_DIR ?? '/var/cache/chom-play-bench';
const MAIN_ROOTFS = join(process.env.CHOM_LAB_CACHE_DIR ?? '/var/cache/chom-play', 'rootfs-bookworm');
const ROOTFS_MARKER = '.chom-play-rootfs';
const PYTHON_MARKER = '.chom-bench-python';

export interface BenchHost {
  name: string;
  address: string;
}
export interface BenchLab {
  name: string;
  inventoryDir: string;
  keyFile: string;
  knownHosts: string;
  hosts: BenchHost[];
}

export async function ensureBenchRootfs(log: (s: string) => void): Promise<void> {
  const rootfs = join(BENCH_CACHE, 'rootfs-bookworm');
  if (existsSync(join(rootfs, PYTHON_MARKER))) return;
  if (!existsSync(join(MAIN_ROOTFS, ROOTFS_MARKER))) {
    log('bench: building the lab root filesystem first (debootstrap, about a minute)');
    await sh([process.execPath, CLI, 'lab', 'up', '--hosts', '1', '--name', 'bench-init'], 'lab up', { env: cliEnv({}) });
    await sh([process.execPath, CLI, 'lab', 'down', '--name', 'bench-init'], 'lab down', { env: cliEnv({}) });
  }
  log(`bench: building ${rootfs} (the lab rootfs + python3, for Ansible only; once)`);
  mkdirSync(BENCH_CACHE, { recursive: true });
  const tmp = `${rootfs}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await sh(['cp', '-a', MAIN_ROOTFS, tmp], 'copying the lab rootfs');
  writeFileSync(join(tmp, 'etc/resolv.conf'), readFileSync('/etc/resolv.conf'));
  // A private mount namespace: /proc and /dev inside the chroot vanish with the process.
  const script = [
    'set -e',
    `cd '${tmp}'`,
    'mount -t proc proc proc',
    'mount --rbind /dev dev',
    'chroot . /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -q',
    'chroot . /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3',
    'chroot . apt-get clean',
  ].join('\n');
  await sh(
    ['unshare', '--mount', '--propagation', 'private', '--fork', '/bin/sh', '-c', script],
    'installing python3 into the bench rootfs',
  );
  writeFileSync(join(tmp, 'etc/resolv.conf'), '');
  writeFileSync(join(tmp, PYTHON_MARKER), 'python3\n');
  rmSync(rootfs, { recursive: true, force: true });
  await sh(['mv', '-T', tmp, rootfs], 'moving the bench rootfs into place');
}

const benchEnv = () => cliEnv({ CHOM_LAB_CACHE_DIR: BENCH_CACHE });

export async function benchLabUp(name: string, hosts: number, workDir: string): Promise<BenchLab> {
  const inventoryDir = join(workDir, `inventory-${name}`);
  await sh([process.execPath, CLI, 'lab', 'down', '--name', name], 'lab down', { env: benchEnv() }).catch(() => undefined);
  await sh([process.execPath, CLI, 'lab', 'up', '--hosts', String(hosts), '--name', name, '--inventory', inventoryDir], 'lab up', {
    env: benchEnv(),
  });
  const doc = parse(readFileSync(join(inventoryDir, 'hosts.yml'), 'utf8')) as {
    all: { vars: { ansible_ssh_private_key_file: string }; hosts: Record<string, { ansible_host: string }> };
  };
  return {
    name,
    inventoryDir,
    keyFile: doc.all.vars.ansible_ssh_private_key_file,
    knownHosts: join(inventoryDir, 'known_hosts'),
    hosts: Object.entries(doc.all.hosts).map(([n, h]) => ({ name: n, address: h.ansible_host })),
  };
}

export async function benchLabDown(name: string): Promise<void> {
  await sh([process.execPath, CLI, 'lab', 'down', '--name', name], 'lab down', { env: benchEnv() });
}
