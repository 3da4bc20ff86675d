/**
 * The cached Debian bookworm root filesystem every host overlays. Built once by debootstrap into a
 * temporary directory and renamed into place, so a crash never leaves a half-built cache behind.
 */
import { existsSync, readFileSync, mkdirSync, writeFileSync, rmSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../errors.js';
import { run } from './exec.js';
import { withLock } from './lock.js';
import { CACHE_DIR, DEB_CACHE_DIR, ROOTFS_DIR, ROOTFS_LOCK } from './paths.js';

/** Bump when the build recipe changes: an older cache is then rebuilt. */
const RECIPE = 'bookworm-minbase-v1';
const MARKER = '.chom-play-rootfs';
const PACKAGES = ['openssh-server', 'sudo', 'procps', 'iproute2', 'systemd', 'systemd-sysv', 'dbus', 'ca-certificates', 'curl'];

/** The Debian mirror this machine uses (from its apt sources), so builds work where only that mirror is reachable. */
export function debianMirror(): string {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) files.push(join('/etc/apt/sources.list.d', f));
  } catch {
    /* no directory */
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    // deb822: a stanza with URIs and a bookworm suite; one-line: "deb URI bookworm main".
    for (const stanza of text.split(/\n\s*\n/)) {
      const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
      const suites = /^Suites:\s*(.+)$/m.exec(stanza)?.[1] ?? '';
      if (uri && /(^|\s)bookworm(\s|$)/.test(suites)) return uri;
    }
    const line = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (line) return line[1];
  }
  return 'http://deb.debian.org/debian';
}

export function rootfsReady(): boolean {
  try {
    return readFileSync(join(ROOTFS_DIR, MARKER), 'utf8').trim() === RECIPE;
  } catch {
    return false;
  }
}

export async function ensureRootfs(log: (line: string) => void): Promise<string> {
  if (rootfsReady()) return ROOTFS_DIR;
  mkdirSync(CACHE_DIR, { recursive: true });
  return withLock(ROOTFS_LOCK, 15 * 60_000, async () => {
    if (rootfsReady()) return ROOTFS_DIR; // built by another process while we waited
    const tmp = `${ROOTFS_DIR}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(DEB_CACHE_DIR, { recursive: true });
    const mirror = debianMirror();
    log(`building the Debian bookworm root filesystem once (debootstrap from ${mirror}, about a minute)...`);
    const t0 = Date.now();
    const r = await run([
      'debootstrap',
      '--variant=minbase',
      `--cache-dir=${DEB_CACHE_DIR}`,
      `--include=${PACKAGES.join(',')}`,
      'bookworm',
      tmp,
      mirror,
    ]);
    if (r.code !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      const tail = (r.stdout + r.stderr).trim().split('\n').slice(-8).join('\n');
      throw new LabError(
        `debootstrap failed (exit ${r.code}):\n${tail}`,
        `check that ${mirror} is reachable from this machine, then retry`,
      );
    }
    prepare(tmp);
    writeFileSync(join(tmp, MARKER), `${RECIPE}\n`);
    rmSync(ROOTFS_DIR, { recursive: true, force: true }); // an older recipe
    const mv = await run(['mv', '-T', tmp, ROOTFS_DIR]);
    if (mv.code !== 0) throw new LabError(`could not move ${tmp} to ${ROOTFS_DIR}: ${mv.stderr.trim()}`);
    log(`root filesystem ready in ${((Date.now() - t0) / 1000).toFixed(0)} s: ${ROOTFS_DIR}`);
    return ROOTFS_DIR;
  });
}

/** Make the tree a neutral template: per-host identity (keys, machine-id, hostname) is added per host. */
function prepare(root: string): void {
  for (const f of readdirSync(join(root, 'etc/ssh'))) {
    if (f.startsWith('ssh_host_')) unlinkSync(join(root, 'etc/ssh', f));
  }
  writeFileSync(join(root, 'etc/machine-id'), '');
  for (const f of readdirSync(join(root, 'var/cache/apt/archives'))) {
    if (f.endsWith('.deb')) unlinkSync(join(root, 'var/cache/apt/archives', f));
  }
  // Timers that would run apt or fstrim at random moments inside test hosts.
  const timers = join(root, 'etc/systemd/system/timers.target.wants');
  if (existsSync(timers)) rmSync(timers, { recursive: true, force: true });
  writeFileSync(
    join(root, 'etc/ssh/sshd_config.d/chom-lab.conf'),
    [
      '# chom-play lab host',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'UseDNS no',
      'MaxStartups 200',
      '',
    ].join('\n'),
  );
  mkdirSync(join(root, 'root/.ssh'), { recursive: true, mode: 0o700 });
}
