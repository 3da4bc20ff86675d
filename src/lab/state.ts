/**
 * The lab's record of everything it created, written BEFORE each resource is created so that
 * `down` can undo a crashed `up`. Writes are synchronous (one writer per lab process).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { labStateDir, labStateFile, STATE_ROOT } from './paths.js';

export interface ProcRecord {
  pid: number;
  /** /proc/PID/stat start time: a different value means the pid was reused, never kill it. */
  start: string;
  what: string;
}

export interface HostState {
  name: string;
  address: string;
  port: number;
  netns: string;
  /** Overlay mount point (the host's /). */
  root: string;
  /** upper/, work/, logs of the host. */
  dir: string;
  /** Machine-side end of the veth pair. */
  veth: string;
  /** The process that keeps the host alive (unshare for plain hosts, systemd-nspawn for --systemd). */
  proc?: ProcRecord;
}

export interface LabState {
  name: string;
  systemd: boolean;
  status: 'starting' | 'up' | 'stopping';
  /** Index of the /24 in 198.18.0.0/15 this lab owns. */
  slot: number;
  bridge: string;
  gateway: string;
  dataDir: string;
  inventoryDir: string;
  keyFile: string;
  knownHostsFile: string;
  hosts: HostState[];
  /** Other processes (none today besides the hosts'); kept so `down` has one list to kill. */
  procs: ProcRecord[];
  createdAt: string;
}

export function saveState(s: LabState): void {
  mkdirSync(labStateDir(s.name), { recursive: true, mode: 0o700 });
  const file = labStateFile(s.name);
  writeFileSync(`${file}.tmp`, JSON.stringify(s, null, 2));
  renameSync(`${file}.tmp`, file);
}

export function readState(name: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(labStateFile(name), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Names of every lab with a state directory (up, starting, or crashed half-way). */
export function labNames(): string[] {
  if (!existsSync(STATE_ROOT)) return [];
  return readdirSync(STATE_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}
