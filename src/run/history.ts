import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Vars } from '../inventory/model.js';
import type { HostStats } from './stats.js';
import type { TaskStatus } from './report.js';

/** One task result as kept in the run record. `play` is the play's index in the playbook. */
export interface TaskRecord {
  play: number;
  id: number;
  name: string;
  loc: string;
  status: TaskStatus;
  ms: number;
  rc?: number;
  msg?: string;
  ignored?: boolean;
  handler?: boolean;
  /** Error class reported by the host (disk-full, timeout, ...), when it gave one. */
  class?: string;
  /** Module return values `register` held (stat's stat, ...), redacted; absent when none. */
  registered?: Record<string, unknown>;
}

/** Where a host stopped: the first task of the run it did not complete. */
export interface TaskRef {
  play: number;
  id: number;
  name: string;
  loc: string;
}

export type HostOutcome = 'ok' | 'failed' | 'unreachable' | 'interrupted' | 'not-run';

export interface HostRecord {
  status: HostOutcome;
  /** Why it failed / was unreachable / did not run. */
  message?: string;
  class?: string;
  stats: HostStats;
  ms: number;
  tasks: TaskRecord[];
  /** Set when the host did not finish every task it was planned: `--resume` starts here. */
  resumeAt?: TaskRef;
}

export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted';

export interface RunRecord {
  version: 1;
  id: string;
  status: RunStatus;
  exitCode?: number;
  /** Controller process, to tell a crashed "running" record from a live one. */
  pid: number;
  user: string;
  machine: string;
  startedAt: string;
  endedAt?: string;
  ms?: number;
  check: boolean;
  projectDir: string;
  git?: { commit: string; dirty: boolean };
  playbook: { file: string; sha256: string };
  /** Playbook, roles, vars and task files. */
  files: Array<{ path: string; sha256: string }>;
  inventory: { path: string; files: Array<{ path: string; sha256: string }> };
  argv: string[];
  /** The run this one resumed, or the --start-at-task name. */
  resumedFrom?: string;
  startAtTask?: string;
  /** Why the run stopped early (interrupt, max_fail_percentage, any_errors_fatal). */
  stopReason?: string;
  hosts: Record<string, HostRecord>;
  facts: Record<string, Vars>;
}

export const DEFAULT_KEEP = 50;

export function runsDir(projectDir: string): string {
  return join(projectDir, '.chom', 'runs');
}

/** Written atomically (temp + rename): `history` never reads half a record. */
export function writeRunRecord(projectDir: string, rec: RunRecord): string {
  const dir = runsDir(projectDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${rec.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/** Run ids start with a UTC timestamp, so name order is time order. Oldest first. */
export function listRunIds(projectDir: string): string[] {
  const dir = runsDir(projectDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadRunRecord(projectDir: string, id: string): RunRecord | undefined {
  const file = join(runsDir(projectDir), `${id}.json`);
  if (!/^[A-Za-z0-9-]+$/.test(id) || !existsSync(file)) return undefined;
  try {
    return settle(JSON.parse(readFileSync(file, 'utf8')) as RunRecord);
  } catch {
    return undefined;
  }
}

/** Every record, oldest first; unreadable ones are skipped. */
export function loadRunRecords(projectDir: string): RunRecord[] {
  return listRunIds(projectDir)
    .map((id) => loadRunRecord(projectDir, id))
    .filter((r): r is RunRecord => r !== undefined);
}

/** Keeps the newest `keep` records. */
export function pruneRuns(projectDir: string, keep: number = DEFAULT_KEEP): string[] {
  const ids = listRunIds(projectDir);
  const drop = ids.slice(0, Math.max(0, ids.length - keep));
  for (const id of drop) rmSync(join(runsDir(projectDir), `${id}.json`), { force: true });
  return drop;
}

/** A "running" record whose controller is gone was cut short (kill -9, power loss): interrupted. */
function settle(rec: RunRecord): RunRecord {
  if (rec.status !== 'running' || pidAlive(rec.pid)) return rec;
  return { ...rec, status: 'interrupted', stopReason: rec.stopReason ?? 'the controller process died' };
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The run `--resume` continues: the newest run of this playbook (not in check mode), when it
 * failed or was interrupted. Returns the reason when there is nothing to resume.
 */
export function resumableRun(projectDir: string, playbookFile: string, id?: string): RunRecord | string {
  if (id) {
    const r = loadRunRecord(projectDir, id);
    if (!r) return `no run ${id} in ${runsDir(projectDir)} (chom-play history lists them)`;
    return r;
  }
  const runs = loadRunRecords(projectDir).filter((r) => r.playbook.file === playbookFile && !r.check && r.status !== 'running');
  const last = runs[runs.length - 1];
  if (!last) return `no earlier run of ${playbookFile} recorded in ${runsDir(projectDir)}`;
  if (last.status === 'ok') return `the last run of ${playbookFile} (${last.id}) succeeded: nothing to resume`;
  return last;
}
