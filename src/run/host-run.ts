import { randomBytes } from 'node:crypto';
import { runAsLine, type HostPlan } from '../plan/plan.js';
import { rescuedTaskIds } from '../shell/blocks.js';
import type { Redactor } from '../secrets/index.js';
import { PASSWORD_REFUSED } from '../transport/become.js';
import { EventParser, type ScriptEvent } from '../shell/events.js';
import { initialState, reduceEvent, type EventContext } from './host-events.js';
import { reportOutput } from './outputs.js';
import { buildScript, type ScriptTask } from '../shell/script.js';
import { classifyConnError } from './conn-errors.js';
import { machineName, whoRan } from './audit.js';
import { HEARTBEAT_MS, type ConnectionPool } from './connections.js';
import type { TaskRecord } from './history.js';
import type { Interrupt } from './interrupt.js';
import type { Reporter } from './report.js';
import type { HostStats } from './stats.js';

/** What one host's script for one play came to. */
export interface HostPlayResult {
  outcome: 'ok' | 'failed' | 'unreachable' | 'interrupted';
  tasks: TaskRecord[];
  message?: string;
  class?: string;
}

/** A host whose script (or uploads) is under way: what an interrupt has asked of it. */
export interface RunningHost {
  become: boolean;
  stopAsked: boolean;
  killAsked: boolean;
  abort: AbortController;
  /** The stop request in flight (first Ctrl-C). */
  stopping?: Promise<unknown>;
  /** The kill in flight (second Ctrl-C). */
  killing?: Promise<unknown>;
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
  running: Map<string, RunningHost>;
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
    heartbeatTimeout: heartbeatTimeout(),
  });
}

/** CHOM_HEARTBEAT_TIMEOUT on the controller: seconds of silence before a host stops (run-level). */
function heartbeatTimeout(): number | undefined {
  const v = Number(process.env.CHOM_HEARTBEAT_TIMEOUT);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

/** Calls `beat` now and every HEARTBEAT_MS, never two at once (a partitioned host answers nothing). */
function heartbeat(beat: () => Promise<unknown>): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let first: NodeJS.Timeout | undefined;
  let busy = false;
  const once = () => {
    if (busy) return;
    busy = true;
    void beat().finally(() => (busy = false));
  };
  return {
    start() {
      // The host counts only touches made after its script started: the first one a second in.
      first = setTimeout(once, 1000);
      timer = setInterval(once, HEARTBEAT_MS);
    },
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
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
  const bearing = new Map<number, boolean>();
  const cx: EventContext = {
    host: plan.host,
    playIndex,
    tasks: byId,
    redact: (x) => r.redact(x),
    rescued: rescuedIds,
    // A file written from secrets: its old lines may hold a rotated secret nobody knows any more.
    secretBearing: (t) => {
      let b = bearing.get(t.id);
      if (b === undefined) bearing.set(t.id, (b = r.mentions(t.body)));
      return b;
    },
  };
  let st = initialState(s);
  const confirms: Promise<void>[] = [];
  const parser = new EventParser(marker, (e: ScriptEvent) => {
    const [next, outputs] = reduceEvent(cx, st, e);
    st = next;
    Object.assign(s, st.stats);
    for (const o of outputs) {
      reportOutput(rep, plan.host, o, 'run', (id, file) => {
        // The task waits on the host; if we cannot get in anew, its dead-man switch restores access.
        confirms.push(
          pool.confirmAccess(plan.host, file, plan.become).then((why) => {
            if (why) rep.warn(`${plan.host}: could not confirm access after task ${id}: ${r.redact(why)}`);
          }),
        );
      });
    }
  });
  const me: RunningHost = {
    become: plan.become,
    stopAsked: false,
    killAsked: false,
    abort: new AbortController(),
  };
  ctx.running.set(plan.host, me);
  rep.hostStart(plan.host, plan.tasks.length);
  const beat = heartbeat(() => pool.heartbeat(plan.host, ctx.runId, plan.become));
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
    if (started) beat.start();
    res = !started
      ? { code: null, signal: 'interrupted before the script started', stderr: '' }
      : await conn.runScript(scriptFor(ctx, plan, marker), { become: plan.become, onStdout: (b) => parser.push(b) });
  } catch (err) {
    res = { code: null, signal: (err as Error).message, stderr: '' };
  } finally {
    beat.stop();
    ctx.running.delete(plan.host);
  }
  if (me.stopAsked && (!started || res.code === null)) {
    // The stop request travels on its own channel: let it land before removing what it creates.
    // The kill of a second Ctrl-C ends every other process of this connection on the host: the
    // removal must start after it, or it is killed with the rest.
    await me.stopping;
    await me.killing;
    const why = await pool.cleanupInterrupted(
      plan.host,
      ctx.runId,
      plan.become,
      plan.uploads.map((u) => u.remote),
    );
    if (why) rep.warn(`${plan.host}: could not remove the stop file and partial uploads: ${r.redact(why)}`);
    if (!started) {
      const msg = `interrupted ${uploading ? 'during the uploads' : 'before the script started'}: none of its tasks ran`;
      rep.hostFailed(plan.host, 'failed', msg);
      return { outcome: 'interrupted', tasks: st.records, message: msg };
    }
  }
  parser.end();
  await Promise.all(confirms);
  const { records, refused, failed, ended, lastClass } = st;
  const sawInterrupted = st.interrupted;
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
    const why =
      res.code === 1 && res.stderr.includes(PASSWORD_REFUSED)
        ? 'sudo refused the become password given with -K / --become-password-file: check it (nothing ran)'
        : res.code === 1 && /sudo/.test(res.stderr)
          ? 'sudo failed: become needs passwordless sudo, or the password with -K / --become-password-file'
          : `the script stopped with exit code ${res.code}`;
    const msg = r.redact(`${why}\n${res.stderr.trim().split('\n').slice(-20).join('\n')}`);
    rep.hostFailed(plan.host, 'failed', msg);
    return { outcome: 'failed', tasks: records, message: msg };
  }
  rep.hostEnd(plan.host, s);
  return failed
    ? { outcome: 'failed', tasks: records, class: lastClass, message: records.find((t) => t.status === 'failed' && !t.ignored)?.msg }
    : { outcome: 'ok', tasks: records };
}
