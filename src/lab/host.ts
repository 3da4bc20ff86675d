/**
 * One lab host: a copy-on-write root over the cached rootfs, its own identity (hostname,
 * machine-id, ssh host key), and the process that keeps it alive: sshd in private namespaces
 * (plain hosts) or systemd booted by systemd-nspawn (--systemd).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, openSync, closeSync, chmodSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { quote } from '../shell/quote.js';
import { must, run, sleep } from './exec.js';
import { childrenOf, isSameProcess, killQuietly, processStart } from './proc.js';
import type { ProcRecord } from './state.js';
import type { HostState } from './state.js';

export interface HostFiles {
  rootfs: string;
  authorizedKey: string;
  /** Lines for /etc/hosts naming every host of the lab. */
  hostsLines: string[];
  /** The lab's caching apt proxy (aptproxy.ts), e.g. http://198.18.0.1:3142/. */
  aptProxy: string;
}

export async function mountRoot(h: HostState, rootfs: string): Promise<void> {
  for (const d of ['upper', 'work']) mkdirSync(join(h.dir, d), { recursive: true });
  mkdirSync(h.root, { recursive: true });
  const r = await run([
    'mount',
    '-t',
    'overlay',
    'overlay',
    '-o',
    `lowerdir=${rootfs},upperdir=${join(h.dir, 'upper')},workdir=${join(h.dir, 'work')}`,
    h.root,
  ]);
  if (r.code !== 0) {
    throw new LabError(
      `cannot mount the overlay root of ${h.name}: ${r.stderr.trim()}`,
      'the kernel needs overlayfs (modprobe overlay) and the data dir must be on a local filesystem (ext4, xfs, tmpfs)',
    );
  }
}

/** Identity and access: each host gets its own host key and machine-id, and trusts the lab key. */
export async function personalize(h: HostState, f: HostFiles): Promise<string> {
  const etc = join(h.root, 'etc');
  writeFileSync(join(etc, 'hostname'), `${h.name}\n`);
  writeFileSync(join(etc, 'hosts'), ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...f.hostsLines, ''].join('\n'));
  writeFileSync(join(etc, 'machine-id'), `${randomBytes(16).toString('hex')}\n`);
  try {
    writeFileSync(join(etc, 'resolv.conf'), readFileSync('/etc/resolv.conf'));
  } catch {
    /* no resolver on the machine: apt will say so */
  }
  writeFileSync(join(etc, 'apt', 'apt.conf.d', '01chom-lab-proxy'), `Acquire::http::Proxy "${f.aptProxy}";\n`);
  const key = join(etc, 'ssh', 'ssh_host_ed25519_key');
  rmSync(key, { force: true });
  rmSync(`${key}.pub`, { force: true });
  await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `root@${h.name}`, '-f', key]);
  const ssh = join(h.root, 'root', '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  chmodSync(ssh, 0o700);
  writeFileSync(join(ssh, 'authorized_keys'), `${f.authorizedKey.trim()}\n`, { mode: 0o600 });
  return readFileSync(`${key}.pub`, 'utf8').trim();
}

/** Starts a detached process whose output goes to DIR/host.log; returns its record (taken before any wait). */
export function startDetached(argv: string[], h: { dir: string; name: string }, what: string, logName = 'host.log'): ProcRecord {
  mkdirSync(h.dir, { recursive: true });
  const fd = openSync(join(h.dir, logName), 'a');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd], cwd: '/' });
  closeSync(fd);
  child.unref();
  if (!child.pid) throw new LabError(`could not start ${argv[0]} for ${h.name}`);
  return { pid: child.pid, start: processStart(child.pid), what };
}

/**
 * Plain host: sshd as PID 1 of fresh uts/ipc/mount/pid namespaces inside the host's netns.
 * pivot_root (not just chroot) so the host's mount table holds only its own mounts, never
 * other labs' overlays that happen to be mounted on the machine at that moment.
 */
export function startPlain(h: HostState): ProcRecord {
  const R = quote(h.root);
  const script = [
    'set -e',
    `hostname ${quote(h.name)}`,
    `cd ${R}`,
    'mount -t proc -o nosuid,nodev,noexec proc proc',
    'mount -t sysfs -o ro,nosuid,nodev,noexec sysfs sys',
    'mount -t tmpfs -o mode=755,size=16m,nosuid tmpfs dev',
    'mknod -m 666 dev/null c 1 3; mknod -m 666 dev/zero c 1 5; mknod -m 666 dev/full c 1 7',
    'mknod -m 666 dev/random c 1 8; mknod -m 666 dev/urandom c 1 9; mknod -m 666 dev/tty c 5 0',
    'mkdir dev/pts dev/shm',
    'mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts dev/pts',
    'ln -s pts/ptmx dev/ptmx; ln -s /proc/self/fd dev/fd',
    'ln -s /proc/self/fd/0 dev/stdin; ln -s /proc/self/fd/1 dev/stdout; ln -s /proc/self/fd/2 dev/stderr',
    'mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs dev/shm',
    'mount -t tmpfs -o mode=755,size=64m,nosuid,nodev tmpfs run',
    'mkdir -p run/sshd run/lock',
    'pivot_root . mnt',
    "exec /usr/sbin/chroot . /bin/sh -c 'umount -l /mnt && exec /usr/sbin/sshd -D -e'",
  ].join('\n');
  return startDetached(
    [
      'ip',
      'netns',
      'exec',
      h.netns,
      'unshare',
      '--uts',
      '--ipc',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      '/bin/sh',
      '-c',
      script,
    ],
    h,
    'unshare+sshd',
  );
}

/** systemd host: a real boot in systemd-nspawn, inside the host's netns; sshd runs as ssh.service. */
export function startSystemd(h: HostState): ProcRecord {
  return startDetached(
    [
      'systemd-nspawn',
      '--quiet',
      '--register=no',
      '--keep-unit',
      '--boot',
      '-D',
      h.root,
      `--network-namespace-path=/run/netns/${h.netns}`,
      `--hostname=${h.name}`,
      `--machine=${h.netns}`,
      '--resolv-conf=off',
      '--timezone=off',
      '--console=passive',
      // netfilter inside the host's own namespace (ufw, iptables); it cannot touch this machine's.
      '--capability=CAP_NET_ADMIN',
    ],
    h,
    'systemd-nspawn',
  );
}

/** Waits until the host's sshd sends its banner (the port being open is not enough under nspawn). */
export async function waitSsh(h: HostState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (h.proc && !isSameProcess(h.proc.pid, h.proc.start)) {
      throw new LabError(`host ${h.name} stopped while starting; its log: ${join(h.dir, 'host.log')}\n${tail(join(h.dir, 'host.log'))}`);
    }
    if (await banner(h.address, h.port)) return;
    await sleep(100);
  }
  throw new LabError(
    `host ${h.name} (${h.address}) did not answer on ssh port ${h.port} within ${timeoutMs / 1000} s; log: ${join(h.dir, 'host.log')}\n${tail(join(h.dir, 'host.log'))}`,
  );
}

function banner(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port, timeout: 1000 });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d: Buffer) => done(d.toString().startsWith('SSH-')));
    sock.once('error', () => done(false));
    sock.once('timeout', () => done(false));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n');
  } catch {
    return '';
  }
}

/** The process in the host's namespaces: pid 1 of the host (child of unshare / systemd-nspawn). */
export function hostLeader(h: HostState): number | undefined {
  if (!h.proc || !isSameProcess(h.proc.pid, h.proc.start)) return undefined;
  return childrenOf(h.proc.pid)[0];
}

export function hostRunning(h: HostState): boolean {
  return hostLeader(h) !== undefined;
}

/**
 * Kills the host's processes (its pid namespace dies with its pid 1). Only pids we recorded, and
 * their direct children. Children first, so their parent (unshare / systemd-nspawn) reaps them
 * and exits: killed the other way round they would be orphaned, and on machines whose pid 1 does
 * not reap orphans they would stay behind as zombies.
 */
export async function stopProc(p: ProcRecord | undefined): Promise<void> {
  if (!p || !isSameProcess(p.pid, p.start)) return;
  const kids = childrenOf(p.pid).map((pid) => ({ pid, start: processStart(pid) }));
  for (const c of kids) killQuietly(c.pid, 'SIGKILL');
  await waitGone(kids, 5000);
  killQuietly(p.pid, 'SIGKILL');
  await waitGone([p], 5000);
}

async function waitGone(procs: Array<{ pid: number; start: string }>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (procs.some((x) => isSameProcess(x.pid, x.start)) && Date.now() < deadline) await sleep(20);
}
