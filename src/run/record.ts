import { formatLoc } from '../errors.js';
import type { Redactor } from '../secrets/index.js';
import { gitCommit, hashFiles, inventoryFiles, machineName, sha256File, whoRan } from './audit.js';
import type { ConnectionPool } from './connections.js';
import type { HostOutcome, HostRecord, RunRecord, TaskRecord, TaskRef } from './history.js';
import type { HostPlayResult } from './host-run.js';
import { RESUME_NOTIFY_ID } from './resume.js';
import type { Vars } from '../inventory/model.js';
import type { HostPlan } from '../plan/plan.js';
import type { RunConfig } from './runner.js';
import type { HostStats } from './stats.js';

/** What the orchestrator gathers about one host while the run goes. */
export interface HostState {
  tasks: TaskRecord[];
  /** Outcome of each play (by index) the host's script ran for. */
  plays: Map<number, HostPlayResult['outcome']>;
  started: number;
  ms: number;
  message?: string;
  class?: string;
}

/** Facts are not known yet at the start (each host gathers its own); finishRecord fills them in. */
export function startRecord(cfg: RunConfig, stats: Map<string, HostStats>, hosts: Map<string, HostState>): RunRecord {
  return {
    version: 1,
    id: cfg.runId,
    status: 'running',
    pid: process.pid,
    user: whoRan(),
    machine: machineName(),
    startedAt: new Date().toISOString(),
    check: cfg.check,
    projectDir: cfg.projectDir,
    git: gitCommit(cfg.projectDir),
    playbook: { file: cfg.playbook.file, sha256: sha256File(cfg.playbook.file) },
    files: hashFiles(cfg.playbook.files),
    inventory: { path: cfg.inventory.path, files: hashFiles(inventoryFiles(cfg.inventory)) },
    argv: cfg.argv ?? [],
    ...(cfg.resume ? { resumedFrom: cfg.resume.id } : {}),
    ...(cfg.startAtTask ? { startAtTask: cfg.startAtTask } : {}),
    hosts: Object.fromEntries(
      [...hosts.keys()].map((h) => [h, { status: 'not-run', stats: stats.get(h)!, ms: 0, tasks: [] } satisfies HostRecord]),
    ),
    facts: {},
  };
}

/** Per play, each host's compiled plan (after --resume / --start-at-task trimming). */
type Plans = ReadonlyArray<{ plans: Map<string, HostPlan> }>;

interface Finish {
  plays: Plans;
  facts: Map<string, Vars>;
  hosts: Map<string, HostState>;
  pool: ConnectionPool;
  stats: Map<string, HostStats>;
  skipped: Map<string, string>;
  exitCode: number;
  interrupted: boolean;
  stopReason?: string;
  redactor: Redactor;
  started: number;
}

/** Per host outcome and where `--resume` would start it; the run's status. Redacted. */
export function finishRecord(rec: RunRecord, f: Finish): void {
  for (const [h, st] of f.hosts) {
    const outcomes = [...st.plays.values()];
    let status: HostOutcome;
    if (f.pool.unreachable.has(h)) status = 'unreachable';
    else if (outcomes.includes('interrupted')) status = 'interrupted';
    else if (outcomes.includes('failed') || outcomes.includes('unreachable')) status = 'failed';
    else if (f.skipped.has(h)) status = 'ok';
    else status = resumePoint(f.plays, h, st) ? (f.interrupted ? 'interrupted' : 'not-run') : 'ok';
    const resumeAt = f.skipped.has(h) ? undefined : resumePoint(f.plays, h, st);
    const message =
      f.pool.unreachable.get(h) ?? st.message ?? (status === 'not-run' || status === 'interrupted' ? f.stopReason : f.skipped.get(h));
    rec.hosts[h] = {
      status,
      ...(message ? { message: f.redactor.redact(message) } : {}),
      ...((st.class ?? f.pool.unreachableClass.get(h)) ? { class: st.class ?? f.pool.unreachableClass.get(h) } : {}),
      stats: f.stats.get(h)!,
      ms: st.ms,
      tasks: f.redactor.redactDeep(st.tasks),
      ...(resumeAt ? { resumeAt } : {}),
    };
  }
  rec.facts = f.redactor.redactDeep(Object.fromEntries(f.facts));
  rec.status = f.interrupted ? 'interrupted' : f.exitCode === 0 ? 'ok' : 'failed';
  rec.exitCode = f.exitCode;
  rec.endedAt = new Date().toISOString();
  rec.ms = Date.now() - f.started;
  if (f.stopReason) rec.stopReason = f.redactor.redact(f.stopReason);
}

/**
 * The first task, in play order, that the host was planned to run and did not complete
 * (missing, or failed without ignore_errors). Undefined when it completed everything.
 */
function resumePoint(plays: Plans, host: string, st: HostState): TaskRef | undefined {
  for (const [pi, { plans }] of plays.entries()) {
    const plan = plans.get(host);
    if (!plan) continue;
    if (st.plays.get(pi) === 'ok') continue;
    const done = new Set(st.tasks.filter((t) => t.play === pi && !t.handler && (t.status !== 'failed' || t.ignored)).map((t) => t.id));
    const next = plan.tasks.find((t) => t.id !== RESUME_NOTIFY_ID && !done.has(t.id));
    if (next) return { play: pi, id: next.id, name: next.name, loc: formatLoc(next.loc) };
    const last = plan.tasks.reduce((m, t) => Math.max(m, t.id), 0);
    return { play: pi, id: last + 1, name: '(handlers)', loc: '' };
  }
  return undefined;
}
