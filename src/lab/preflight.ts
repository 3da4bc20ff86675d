/** Checks before touching the machine, each failing with the command that fixes it. */
import { existsSync, readFileSync } from 'node:fs';
import { LabError } from '../errors.js';

const SETUP =
  'run: bash .ci/setup   (or: apt-get install -y debootstrap systemd-container iproute2 iptables openssh-server openssh-client)';

const TOOLS: Array<{ bin: string; pkg: string; systemdOnly?: boolean }> = [
  { bin: 'debootstrap', pkg: 'debootstrap' },
  { bin: 'ip', pkg: 'iproute2' },
  { bin: 'unshare', pkg: 'util-linux' },
  { bin: 'nsenter', pkg: 'util-linux' },
  { bin: 'ssh-keygen', pkg: 'openssh-client' },
  { bin: 'iptables', pkg: 'iptables' },
  { bin: 'systemd-nspawn', pkg: 'systemd-container', systemdOnly: true },
];

export function which(bin: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) if (d && existsSync(`${d}/${bin}`)) return `${d}/${bin}`;
  return undefined;
}

export function assertRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new LabError(
      'the lab needs root (it mounts filesystems and creates network namespaces)',
      'run it as root, e.g. sudo chom-play lab up --hosts 3',
    );
  }
}

export function preflight(systemd: boolean): void {
  assertRoot();
  const missing = TOOLS.filter((t) => (systemd || !t.systemdOnly) && !which(t.bin));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => t.pkg))].join(' ');
    throw new LabError(`missing ${missing.map((t) => t.bin).join(', ')} on this machine`, `${SETUP}; at least: apt-get install -y ${pkgs}`);
  }
  const fs = readFileSync('/proc/filesystems', 'utf8');
  if (!/\boverlay\b/.test(fs)) {
    throw new LabError(
      'the kernel has no overlay filesystem (needed for copy-on-write host roots)',
      'run: modprobe overlay   (or use a kernel with CONFIG_OVERLAY_FS)',
    );
  }
  if (!existsSync('/proc/self/ns/net')) {
    throw new LabError('the kernel has no network namespaces', 'use a kernel with CONFIG_NET_NS (any stock Debian kernel has it)');
  }
}
