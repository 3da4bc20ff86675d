/**
 * `lab down`: undoes whatever the state records, in reverse: processes (by recorded pid and start
 * time only), mounts (deepest first, lazily if busy), namespaces and links, directories, state.
 * Idempotent, and works on a lab whose `up` crashed half-way.
 */
import { readFileSync, readdirSync, rmSync, rmdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.js';
import { stopProc } from './host.js';
import { withLock } from './lock.js';
import { natDown } from './nat.js';
import { deleteBridge, deleteHostNet } from './net.js';
import { GLOBAL_LOCK, labDataDir, labStateDir } from './paths.js';
import { assertRoot } from './preflight.js';
import { labNames, readState, saveState } from './state.js';

export async function labDown(name: string): Promise<void> {
  assertRoot();
  const s = readState(name);
  if (s) {
    s.status = 'stopping';
    saveState(s);
    await Promise.all([...s.hosts.map((h) => stopProc(h.proc)), ...s.procs.map(stopProc)]);
  }
  // A crash between starting a host and saving its pid leaves a process no state knows about:
  // lab processes name the host's root (under the lab's data dir) on their command line.
  await killStrays(labDataDir(name));
  // Mounts under the lab's data dir, whatever recorded them: covers a crash between mount and save.
  await unmountUnder(labDataDir(name));
  if (s) {
    await Promise.all(s.hosts.map((h) => deleteHostNet(h)));
    await deleteBridge(s.bridge);
    for (const f of ['hosts.yml', 'known_hosts']) rmSync(join(s.inventoryDir, f), { force: true });
    try {
      rmdirSync(s.inventoryDir);
    } catch {
      /* not empty (the user put files there) or already gone */
    }
  }
  rmSync(labDataDir(name), { recursive: true, force: true });
  await withLock(GLOBAL_LOCK, 120_000, async () => {
    rmSync(labStateDir(name), { recursive: true, force: true });
    if (labNames().length === 0) await natDown();
  });
}

function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const target = line.split(' ')[4];
    if (!target) continue;
    const path = target.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (path === dir || path.startsWith(`${dir}/`)) out.push(path);
  }
  return out.sort((a, b) => b.split('/').length - a.split('/').length);
}

async function unmountUnder(dir: string): Promise<void> {
  for (let pass = 0; pass < 3; pass++) {
    const mounts = mountsUnder(dir);
    if (!mounts.length) return;
    for (const m of mounts) {
      if ((await run(['umount', m])).code !== 0 && existsSync(m)) await run(['umount', '-l', m]);
    }
  }
}

/** The launchers a lab host is started with (host.ts); nothing else is ever swept. */
const LAUNCHERS = new Set(['unshare', 'systemd-nspawn', 'ip']);

/** Host launchers whose command line names a path under `dir` (a host of this lab), killed. */
async function killStrays(dir: string): Promise<void> {
  const mine = (pid: string): boolean => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return LAUNCHERS.has((argv[0] ?? '').split('/').pop() ?? '') && argv.some((a) => a.includes(`${dir}/`));
    } catch {
      return false;
    }
  };
  const strays = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid && mine(p));
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const pids = strays();
    if (pids.length === 0) return;
    for (const p of pids) {
      try {
        process.kill(Number(p), sig);
      } catch {
        /* gone meanwhile */
      }
    }
    for (let i = 0; i < 20 && strays().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  }
}
