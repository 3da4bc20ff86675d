/** `lab up`: rootfs (cached), subnet (under the lock), then every host in parallel. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { LabError } from '../errors.js';
import type { Lab, LabUpOptions } from './api.js';
import { must } from './exec.js';
import { mountRoot, personalize, startDetached, startPlain, startSystemd, waitSsh } from './host.js';
import type { ProcRecord } from './state.js';
import { writeInventory } from './inventory.js';
import { withLock } from './lock.js';
import { natUp } from './nat.js';
import { createBridge, createHostNet, MAX_HOSTS, pickSlot, slotAddress } from './net.js';
import { APT_PROXY_DIR, APT_PROXY_PORT, GLOBAL_LOCK, labDataDir, labStateDir } from './paths.js';
import { preflight } from './preflight.js';
import { debianMirror, ensureRootfs } from './rootfs.js';
import { labNames, readState, saveState, type HostState, type LabState } from './state.js';
import { labDown } from './down.js';

const NAME_RE = /^[a-z][a-z0-9-]{0,30}$/;
/** Hosts started at once: enough to hide latency, few enough for a 2-core machine. */
const PARALLEL = 8;

export async function labUp(opts: LabUpOptions): Promise<Lab> {
  const log = opts.log ?? (() => undefined);
  const systemd = opts.systemd ?? false;
  if (!NAME_RE.test(opts.name)) {
    throw new LabError(
      `invalid lab name "${opts.name}"`,
      'use lowercase letters, digits and dashes, starting with a letter, at most 31 characters',
    );
  }
  if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > MAX_HOSTS) {
    throw new LabError(`--hosts must be a whole number from 1 to ${MAX_HOSTS}, got ${opts.hosts}`);
  }
  preflight(systemd);
  const rootfs = await ensureRootfs(log);

  const state = await withLock(GLOBAL_LOCK, 120_000, async () => {
    if (existsSync(labStateDir(opts.name))) {
      const old = readState(opts.name);
      throw new LabError(
        old?.status === 'up' ? `lab ${opts.name} is already up` : `lab ${opts.name} is left over from an earlier run`,
        `run: chom-play lab down --name ${opts.name}`,
      );
    }
    const used = new Set(
      labNames()
        .map((n) => readState(n)?.slot)
        .filter((s): s is number => s !== undefined),
    );
    const slot = pickSlot(used);
    const dataDir = labDataDir(opts.name);
    const stateDir = labStateDir(opts.name);
    const inventoryDir = resolve(opts.inventoryDir ?? join(process.cwd(), 'inventory', `lab-${opts.name}`));
    const s: LabState = {
      name: opts.name,
      systemd,
      status: 'starting',
      slot,
      bridge: `chl${slot}br`,
      gateway: slotAddress(slot, 1),
      dataDir,
      inventoryDir,
      keyFile: join(stateDir, 'id_ed25519'),
      knownHostsFile: join(inventoryDir, 'known_hosts'),
      hosts: Array.from({ length: opts.hosts }, (_, i): HostState => {
        const name = `${opts.name}-${i + 1}`;
        return {
          name,
          address: slotAddress(slot, i + 2),
          port: 22,
          netns: `chom-${name}`,
          root: join(dataDir, name, 'root'),
          dir: join(dataDir, name),
          veth: `chl${slot}h${i + 1}`,
        };
      }),
      procs: [],
      createdAt: new Date().toISOString(),
    };
    saveState(s); // claims the slot and the name before anything is created
    await natUp();
    return s;
  });

  try {
    const t0 = Date.now();
    log(`lab ${opts.name}: starting ${opts.hosts} ${systemd ? 'systemd ' : ''}host(s) on ${slotAddress(state.slot, 0)}/24`);
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `chom-play-lab-${opts.name}`, '-f', state.keyFile]);
    const authorizedKey = readFileSync(`${state.keyFile}.pub`, 'utf8');
    await createBridge(state.bridge, state.gateway);
    state.procs.push(startAptProxy(state));
    saveState(state);
    const aptProxy = `http://${state.gateway}:${APT_PROXY_PORT}/`;
    const hostsLines = state.hosts.map((h) => `${h.address}\t${h.name}`);
    const hostKeys = new Map<string, string>();
    await pool(state.hosts, PARALLEL, async (h) => {
      await mountRoot(h, rootfs);
      hostKeys.set(h.name, await personalize(h, { rootfs, authorizedKey, hostsLines, aptProxy }));
      await createHostNet(h, state.bridge, state.gateway);
      h.proc = systemd ? startSystemd(h) : startPlain(h);
      saveState(state);
      await waitSsh(h, systemd ? 90_000 : 20_000);
    });
    writeInventory(state, hostKeys);
    state.status = 'up';
    saveState(state);
    log(`lab ${opts.name}: ${opts.hosts} host(s) up in ${((Date.now() - t0) / 1000).toFixed(1)} s; inventory: ${state.inventoryDir}`);
    return toLab(state);
  } catch (e) {
    log(`lab ${opts.name}: start failed, cleaning up`);
    await labDown(opts.name).catch(() => undefined);
    throw e;
  }
}

/** The lab's apt proxy: a node process on the gateway address; only the Debian mirror is reachable through it. */
function startAptProxy(s: LabState): ProcRecord {
  const script = fileURLToPath(new URL('./aptproxy.js', import.meta.url));
  const mirrors = new Set([new URL(debianMirror()).hostname, 'deb.debian.org']);
  return startDetached(
    [process.execPath, script, s.gateway, String(APT_PROXY_PORT), APT_PROXY_DIR, [...mirrors].join(',')],
    { dir: s.dataDir, name: s.name },
    'apt-proxy',
    'apt-proxy.log',
  );
}

export function toLab(s: LabState): Lab {
  return {
    name: s.name,
    systemd: s.systemd,
    inventoryDir: s.inventoryDir,
    keyFile: s.keyFile,
    knownHostsFile: s.knownHostsFile,
    hosts: s.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port, netns: h.netns, root: h.root })),
  };
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const item = items[next++];
      try {
        await fn(item);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length) throw errors[0];
}
