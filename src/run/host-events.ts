import { formatLoc } from '../errors.js';
import { adviceFor } from '../failure-class.js';
import { holderText, type ScriptEvent } from '../shell/events.js';
import type { ScriptTask } from '../shell/script.js';
import type { TaskRecord } from './history.js';
import type { RollbackSummary, TaskResult, TaskStatus, UndoStep } from './report.js';
import type { HostStats } from './stats.js';
import { decodeReturns } from '../modules/returns.js';

/** Every string inside a value through the redactor (registered values may hold secrets). */
function redactDeep(v: unknown, r: (s: string) => string): unknown {
  if (typeof v === 'string') return r(v);
  if (Array.isArray(v)) return v.map((x) => redactDeep(x, r));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactDeep(x, r)]));
  return v;
}

/**
 * What one host's event stream for one play has told the controller so far. The stream is
 * folded by `reduceEvent`, a pure function: the same events always give the same state and
 * outputs, which is what the unit tests check with streams recorded from real scripts.
 */
export interface HostEventState {
  /** The script's `end` event arrived (it ran to its end, failed or not). */
  ended: boolean;
  /** A task failed without ignore_errors. */
  failed: boolean;
  /** Signal name when the script reported it was interrupted. */
  interrupted: string;
  /** Why the host refused to run at all (lock held, abort before any task). */
  refused?: { message: string; class: string };
  /** Why the script stopped at a task boundary, when it said so. */
  stopped?: { reason: string; message: string };
  lastClass?: string;
  /** A journal replay (rollback_on_failure, or the rollback command): which run, how it went. */
  rollback?: RollbackSummary;
  stats: HostStats;
  records: TaskRecord[];
}

/** What the caller does for an event: report it, or ask the host to confirm access. */
export type HostOutput =
  | { k: 'taskStart'; id: number; name: string }
  | { k: 'warn'; msg: string }
  | { k: 'info'; msg: string }
  | { k: 'result'; result: TaskResult }
  | { k: 'confirm'; id: number; file: string }
  | { k: 'rollback'; runId: string; steps: number; check: boolean }
  | { k: 'undo'; step: UndoStep }
  | { k: 'rollbackEnd'; summary: RollbackSummary };

export interface EventContext {
  host: string;
  playIndex: number;
  tasks: ReadonlyMap<number, { t: ScriptTask; handler: boolean }>;
  redact: (s: string) => string;
  /** The task writes a file from secrets: its diff must not show removed (old) lines. */
  secretBearing: (t: ScriptTask) => boolean;
  /** Tasks inside a block with a rescue section: their failure is rescued, not a host failure. */
  rescued?: ReadonlySet<number>;
}

export function initialState(stats: HostStats): HostEventState {
  return { ended: false, failed: false, interrupted: '', stats: { ...stats }, records: [] };
}

/** Folds one event into the state; returns the new state and what to report. */
export function reduceEvent(cx: EventContext, st: HostEventState, e: ScriptEvent): [HostEventState, HostOutput[]] {
  const { host, redact: r } = cx;
  const nameOf = (id: number) => r(cx.tasks.get(id)?.t.name ?? `task ${id}`);
  switch (e.t) {
    case 'end':
      return [{ ...st, ended: true }, []];
    case 'confirm':
      return [st, [{ k: 'confirm', id: e.id, file: e.file }]];
    case 'begin':
      return [st, [{ k: 'taskStart', id: e.id, name: nameOf(e.id) }]];
    case 'warn':
      return [st, [{ k: 'warn', msg: `${host}: ${r(e.msg)}` }]];
    case 'rollback': {
      const rollback: RollbackSummary = {
        runId: e.runId,
        steps: e.steps,
        check: e.check,
        ended: false,
        undone: 0,
        kept: 0,
        skipped: 0,
        failed: 0,
      };
      return [{ ...st, rollback }, [{ k: 'rollback', runId: e.runId, steps: e.steps, check: e.check }]];
    }
    case 'undo': {
      const { t: _t, ...step } = e;
      return [st, [{ k: 'undo', step: { ...step, msg: r(e.msg), path: r(e.path) } }]];
    }
    case 'rollback_end': {
      const rollback: RollbackSummary = {
        runId: st.rollback?.runId ?? '',
        steps: st.rollback?.steps ?? 0,
        check: st.rollback?.check ?? false,
        ended: true,
        undone: e.undone,
        kept: e.kept,
        skipped: e.skipped,
        failed: e.failed,
      };
      return [{ ...st, rollback }, [{ k: 'rollbackEnd', summary: rollback }]];
    }
    case 'stopped': {
      const next = { ...st, stopped: { reason: e.reason, message: r(e.msg) } };
      return [next, e.reason === 'stop-requested' ? [] : [{ k: 'warn', msg: `${host}: ${r(e.msg)}` }]];
    }
    case 'interrupted':
      return [{ ...st, interrupted: e.signal }, []];
    case 'locked':
      return [
        {
          ...st,
          refused: {
            class: 'lock-held',
            message: `LOCKED: ${holderText(e.holder)} is running on this host; nothing was changed: wait for it to finish`,
          },
        },
        [],
      ];
    case 'abort': {
      const todo = adviceFor(e.class);
      return [{ ...st, refused: { class: e.class, message: `${r(e.msg)}${todo ? `\nwhat to do: ${todo}` : ''}` } }, []];
    }
    case 'retry':
      return [
        st,
        [{ k: 'info', msg: `retry: [${host}] ${nameOf(e.id)}: attempt ${e.attempt} did not succeed; ${e.left} left, next in ${e.delay}s` }],
      ];
    case 'task':
      return taskEvent(cx, st, e);
    default:
      return [st, []];
  }
}

function taskEvent(cx: EventContext, st: HostEventState, e: Extract<ScriptEvent, { t: 'task' }>): [HostEventState, HostOutput[]] {
  const r = cx.redact;
  const meta = cx.tasks.get(e.id);
  const status = e.status as TaskStatus;
  // A failure a block's rescue handles counts `rescued` (as Ansible's recap), never fails the host.
  const rescued = status === 'failed' && meta?.t.ignoreErrors !== true && cx.rescued?.has(e.id) === true;
  const ignored = status === 'failed' && (meta?.t.ignoreErrors === true || rescued);
  const cls = e.class;
  const hard = status === 'failed' && !ignored;
  const s = { ...st.stats };
  if (status === 'ok') s.ok++;
  else if (status === 'changed') {
    s.ok++;
    s.changed++;
  } else if (status === 'skipped') s.skipped++;
  else if (rescued) s.rescued++;
  else if (ignored) s.ignored++;
  else s.failed++;
  const result: TaskResult = {
    host: cx.host,
    taskId: e.id,
    name: r(meta?.t.name ?? `task ${e.id}`),
    loc: meta?.t.loc ?? { file: '?', line: 0, col: 0 },
    status,
    ms: e.ms,
    rc: e.rc,
    msg: e.msg ? r(e.msg) : undefined,
    diff: e.diff ? r(meta && cx.secretBearing(meta.t) ? hideRemoved(e.diff) : e.diff) : undefined,
    output: e.output ? r(e.output) : undefined,
    ignored,
    handler: meta?.handler,
    class: cls,
    todo: adviceFor(cls),
    ...(e.ret ? { registered: redactDeep(decodeReturns(e.ret), r) as Record<string, unknown> } : {}),
  };
  const record: TaskRecord = {
    play: cx.playIndex,
    id: e.id,
    name: result.name,
    loc: formatLoc(result.loc),
    status,
    ms: e.ms,
    ...(status === 'failed' ? { rc: e.rc, msg: result.msg } : {}),
    ...(ignored ? { ignored } : {}),
    ...(meta?.handler ? { handler: true } : {}),
    ...(result.class ? { class: result.class } : {}),
    ...(result.registered ? { registered: result.registered } : {}),
  };
  const next: HostEventState = {
    ...st,
    failed: st.failed || hard,
    lastClass: hard && cls ? cls : st.lastClass,
    stats: s,
    records: [...st.records, record],
  };
  return [next, [{ k: 'result', result }]];
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
