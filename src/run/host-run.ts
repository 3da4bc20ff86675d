import { randomBytes } from 'node:crypto';
import { formatLoc } from '../errors.js';
import { runAsLine, type HostPlan } from '../plan/plan.js';
import { rescuedTaskIds } from '../shell/blocks.js';
import type { Redactor } from '../secrets/index.js';
import { adviceFor } from '../failure-class.js';
import { EventParser, holderText, type ScriptEvent } from '../shell/events.js';
import { buildScript, type ScriptTask } from '../shell/script.js';
import { classifyConnError } from './conn-errors.js';
import { machineName, whoRan } from './audit.js';
import type { ConnectionPool } from './connections.js';
import type { TaskRecord } from './history.js';
import type { Interrupt } from './interrupt.js';
import type { Reporter, TaskStatus } from './report.js';
import type { HostStats } from './stats.js';

/** What one host's script for one play came to. */
export interface HostPlayResult {
  outcome: 'ok' | 'failed' | 'unreachable' | 'interrupted';
  tasks: TaskRecord[];
  message?: string;
  class?: string;
}

export interface HostRunContext {
  runId: string;
  check: boolean;
  diff: boolean;
  /** --task-timeout seconds (0 = none); a task's own timeout: wins. */
  taskTimeout?: number;
  reporter: Reporter;
  redactor: Redactor;
  pool: ConnectionPool;
  interrupt: Interrupt;
  /** Hosts whose script runs now (the runner asks them to stop / kills them). */
  running: Map<string, { become: boolean; stopAsked: boolean; killAsked: boolean; abort: AbortController }>;
}


export function scriptFor(cfg: Pick<HostRunContext, 'runId' | 'check' | 'diff' | 'taskTimeout'>, plan: HostPlan, marker: string): string {
  return buildScript({
    host: plan.host,
    runId: cfg.runId,
    marker,
    check: cfg.check,
    diff: cfg.diff,
    tasks: plan.tasks,
    handlers: plan.handlers,
    user: whoRan(),
    machine: machineName(),
    taskTimeout: cfg.taskTimeout ?? 0,
    minDiskFreeMb: plan.minDiskFreeMb,
    rollbackOnFailure: plan.rollbackOnFailure,
    runAs: runAsLine(plan),
  });
}

/**
 * The diff of a file written from secrets, without its removed lines: those are the old
 * content, which may hold a rotated secret that is no longer known as one (so the redactor
 * cannot mask it). New and context lines come from the current values and are masked as usual.
 */
export function hideRemoved(diff: string): string {
  return diff
    .split('\n')
    .map((line) => (line.startsWith('-') && !line.startsWith('--- ') ? '-[old line not shown: this file is written from secrets]' : line))
    .join('\n');
}

/** Sends one host its script for one play and follows the event stream. */
export async function runHostPlay(ctx: HostRunContext, plan: HostPlan, playIndex: number, s: HostStats): Promise<HostPlayResult> {
  const { pool, reporter: rep, redactor: r } = ctx;
  const conn = pool.conns.get(plan.host)!;
  const marker = 'CHOM' + randomBytes(8).toString('hex');
  const byId = new Map<number, { t: ScriptTask; handler: boolean }>();
  for (const t of plan.tasks) byId.set(t.id, { t, handler: false });
  const rescuedIds = rescuedTaskIds(plan.tasks);
  for (const t of plan.handlers) byId.set(t.id, { t, handler: true });
  const records: TaskRecord[] = [];
  const bearing = new Map<number, boolean>();
  // A file written from secrets: its old lines may hold a rotated secret nobody knows any more.
  const secretBearing = (t: ScriptTask): boolean => {
    let b = bearing.get(t.id);
    if (b === undefined) bearing.set(t.id, (b = r.mentions(t.body)));
    return b;
  };
  let failed = false;
  let ended = false;
  let sawInterrupted = '';
  let refused: { message: string; class: string } | undefined;
  let lastClass: string | undefined;
  const confirms: Promise<void>[] = [];
  const parser = new EventParser(marker, (e: ScriptEvent) => {
    if (e.t === 'end') ended = true;
    if (e.t === 'confirm') {
      // The task waits on the host; if we cannot get in anew, its dead-man switch restores access.
      confirms.push(
        pool.confirmAccess(plan.host, e.file, plan.become).then((why) => {
          if (why) rep.warn(`${plan.host}: could not confirm access after task ${e.id}: ${r.redact(why)}`);
        }),
      );
      return;
    }
    if (e.t === 'begin') return rep.taskStart?.(plan.host, e.id, r.redact(byId.get(e.id)?.t.name ?? `task ${e.id}`));
    if (e.t === 'warn') return rep.warn(`${plan.host}: ${r.redact(e.msg)}`);
    if (e.t === 'rollback') return rep.info(`${plan.host}: rollback_on_failure: undoing run ${e.runId} (${e.steps} steps, newest first)`);
    if (e.t === 'undo') return rep.info(`${plan.host}: [${e.status}] ${r.redact(e.msg)}`);
    if (e.t === 'rollback_end') return rep.info(`${plan.host}: rolled back: undone=${e.undone} kept=${e.kept} skipped=${e.skipped} failed=${e.failed}`);
    if (e.t === 'interrupted') {
      sawInterrupted = e.signal;
      return;
    }
    if (e.t === 'locked') {
      refused = { class: 'lock-held', message: `LOCKED: ${holderText(e.holder)} is running on this host; nothing was changed: wait for it to finish` };
      return;
    }
    if (e.t === 'abort') {
      const todo = adviceFor(e.class);
      refused = { class: e.class, message: `${r.redact(e.msg)}${todo ? `\nwhat to do: ${todo}` : ''}` };
      return;
    }
    if (e.t === 'retry') {
      const name = byId.get(e.id)?.t.name ?? `task ${e.id}`;
      rep.info(`retry: [${plan.host}] ${r.redact(name)}: attempt ${e.attempt} did not succeed; ${e.left} left, next in ${e.delay}s`);
      return;
    }
    if (e.t !== 'task') return;
    const meta = byId.get(e.id);
    const status = e.status as TaskStatus;
    // A failure a block's rescue handles counts `rescued` (as Ansible's recap), never fails the host.
    const rescued = status === 'failed' && meta?.t.ignoreErrors !== true && rescuedIds.has(e.id);
    const ignored = status === 'failed' && (meta?.t.ignoreErrors === true || rescued);
    const cls = e.class;
    if (status === 'failed' && !ignored) {
      failed = true;
      if (cls) lastClass = cls;
    }
    if (status === 'ok') s.ok++;
    else if (status === 'changed') {
      s.ok++;
      s.changed++;
    } else if (status === 'skipped') s.skipped++;
    else if (rescued) s.rescued++;
    else if (ignored) s.ignored++;
    else s.failed++;
    const result = {
      host: plan.host,
      taskId: e.id,
      name: r.redact(meta?.t.name ?? `task ${e.id}`),
      loc: meta?.t.loc ?? { file: '?', line: 0, col: 0 },
      status,
      ms: e.ms,
      rc: e.rc,
      msg: e.msg ? r.redact(e.msg) : undefined,
      diff: e.diff ? r.redact(meta && secretBearing(meta.t) ? hideRemoved(e.diff) : e.diff) : undefined,
      output: e.output ? r.redact(e.output) : undefined,
      ignored,
      handler: meta?.handler,
      class: cls,
      todo: adviceFor(cls),
    };
    rep.taskResult(result);
    records.push({
      play: playIndex,
      id: e.id,
      name: result.name,
      loc: formatLoc(result.loc),
      status,
      ms: e.ms,
      ...(status === 'failed' ? { rc: e.rc, msg: result.msg } : {}),
      ...(ignored ? { ignored } : {}),
      ...(meta?.handler ? { handler: true } : {}),
      ...(result.class ? { class: result.class } : {}),
    });
  });
  const me = { become: plan.become, stopAsked: false, killAsked: false, abort: new AbortController() };
  ctx.running.set(plan.host, me);
  rep.hostStart(plan.host, plan.tasks.length);
  let res;
  let uploading = false;
  let started = false;
  try {
    // Large or binary copy sources go first, over SFTP on the same connection (never in check mode).
    uploading = true;
    if (!ctx.check) for (const u of plan.uploads) if (!me.stopAsked) await conn.upload(u.local, u.remote, u.size, me.abort.signal);
    uploading = false;
    // Interrupted while uploading: the script never starts.
    if (!me.stopAsked) started = true;
    res = !started ? { code: null, signal: 'interrupted before the script started', stderr: '' } : await conn.runScript(scriptFor(ctx, plan, marker), { become: plan.become, onStdout: (b) => parser.push(b) });
  } catch (err) {
    res = { code: null, signal: (err as Error).message, stderr: '' };
  } finally {
    ctx.running.delete(plan.host);
  }
  if (me.stopAsked && (!started || res.code === null)) {
    const why = await pool.cleanupInterrupted(plan.host, ctx.runId, plan.become, plan.uploads.map((u) => u.remote));
    if (why) rep.warn(`${plan.host}: could not remove the stop file and partial uploads: ${r.redact(why)}`);
    if (!started) {
      const msg = `interrupted ${uploading ? 'during the uploads' : 'before the script started'}: none of its tasks ran`;
      rep.hostFailed(plan.host, 'failed', msg);
      return { outcome: 'interrupted', tasks: records, message: msg };
    }
  }
  parser.end();
  await Promise.all(confirms);
  if (me.stopAsked && res.code !== null) await pool.clearStop(plan.host, ctx.runId, plan.become);
  const done = records.filter((t) => !t.handler).length;
  const lastTask = records.filter((t) => !t.handler).at(-1);
  if (refused) {
    s.failed++;
    rep.hostFailed(plan.host, 'failed', refused.message);
    return { outcome: 'failed', tasks: records, message: refused.message, class: refused.class };
  }
  if (res.code === null || sawInterrupted) {
    if (me.killAsked || sawInterrupted) {
      const msg = me.killAsked
        ? `interrupted: the running task was killed (second interrupt) after ${done} of ${plan.tasks.length} tasks`
        : `the script on the host got SIG${sawInterrupted} after ${done} of ${plan.tasks.length} tasks: its running task was stopped`;
      rep.hostFailed(plan.host, 'failed', msg);
      return { outcome: 'interrupted', tasks: records, message: msg };
    }
    const why = `connection lost during the run after ${done} of ${plan.tasks.length} tasks${lastTask ? ` (last completed: "${lastTask.name}")` : ''} (${res.signal ?? 'no exit status'})`;
    pool.markUnreachable(plan.host, why);
    return { outcome: 'unreachable', tasks: records, message: why, class: classifyConnError(why).class };
  }
  if (me.stopAsked && ended && !failed && done < plan.tasks.length) {
    const msg = `interrupted: stopped at a task boundary after ${done} of ${plan.tasks.length} tasks`;
    rep.hostFailed(plan.host, 'failed', msg);
    return { outcome: 'interrupted', tasks: records, message: msg };
  }
  if (!ended && !failed) {
    s.failed++;
    const why = res.code === 1 && /sudo/.test(res.stderr) ? 'sudo failed: become needs passwordless sudo, or the password with -K / --become-password-file' : `the script stopped with exit code ${res.code}`;
    const msg = r.redact(`${why}\n${res.stderr.trim().split('\n').slice(-20).join('\n')}`);
    rep.hostFailed(plan.host, 'failed', msg);
    return { outcome: 'failed', tasks: records, message: msg };
  }
  rep.hostEnd(plan.host, s);
  return failed ? { outcome: 'failed', tasks: records, class: lastClass, message: records.find((t) => t.status === 'failed' && !t.ignored)?.msg } : { outcome: 'ok', tasks: records };
}
