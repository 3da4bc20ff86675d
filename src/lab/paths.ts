/** Where the lab keeps things on this machine. One place, so `down` and `status` agree with `up`. */
import { join } from 'node:path';

/** Cached base root filesystem and downloaded packages (survive reboots). */
export const CACHE_DIR = process.env.CHOM_LAB_CACHE_DIR ?? '/var/cache/chom-play';
/** Per-lab state (pids, mounts, netns): in /run because none of it survives a reboot. */
export const STATE_ROOT = process.env.CHOM_LAB_STATE_DIR ?? '/run/chom-play/lab';
/** Per-host overlay upper/work dirs: on disk, since package installs can be large. */
export const DATA_ROOT = process.env.CHOM_LAB_DATA_DIR ?? '/var/lib/chom-play/lab';

export const ROOTFS_DIR = join(CACHE_DIR, 'rootfs-bookworm');
export const DEB_CACHE_DIR = join(CACHE_DIR, 'debootstrap-debs');
/** Packages downloaded once for every lab host (see aptproxy.ts). */
export const APT_PROXY_DIR = join(CACHE_DIR, 'apt-proxy');

export const GLOBAL_LOCK = join(STATE_ROOT, '.lock');
export const ROOTFS_LOCK = join(CACHE_DIR, '.rootfs.lock');
/** Saved machine settings the lab changed (ip_forward), restored by the last `down`. */
export const NAT_STATE = join(STATE_ROOT, '.nat.json');

export function labStateDir(name: string): string {
  return join(STATE_ROOT, name);
}
export function labStateFile(name: string): string {
  return join(STATE_ROOT, name, 'state.json');
}
export function labDataDir(name: string): string {
  return join(DATA_ROOT, name);
}

/** Port of the lab's apt caching proxy on each lab gateway (aptproxy.ts runs as its own process). */
export const APT_PROXY_PORT = 3142;
