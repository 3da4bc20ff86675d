import { FAILURE_ADVICE, type FailureClass } from '../failure-class.js';
import { eventSpec, type EventField, type STOP_REASONS } from './event-table.js';

/** Why a task or host failed (src/failure-class.ts; the host emits these names). */
export type ErrorClass = FailureClass;

/** What the operator should do about each class (src/failure-class.ts). */
export const ERROR_ADVICE: Readonly<Record<ErrorClass, string>> = FAILURE_ADVICE;

export interface LockHolder {
  runId: string;
  user: string;
  machine: string;
  since: string;
  pid: string;
}

/** One line of the script's event stream, decoded. */
export type ScriptEvent =
  | { t: 'start'; host: string; runId: string; check: boolean; diff: boolean }
  | {
      t: 'task';
      id: number;
      status: 'ok' | 'changed' | 'failed' | 'skipped';
      rc: number;
      ms: number;
      /** Noop description, change summary or failure message ('' when none or no_log). */
      msg: string;
      /** Unified diff(s) of the task (--diff), '' when none. */
      diff: string;
      /** Tail of the task's stdout then stderr, '' when none or no_log. */
      output: string;
      /** Failed tasks only: why, for advice (ERROR_ADVICE). */
      class?: ErrorClass;
      /** Runs it took when retried (retries/until); absent when it ran once. */
      attempts?: number;
      /** Module return values of a registered task: TYPE:KEY NUL VALUE NUL pairs (chom_ret), absent when none. */
      ret?: string;
    }
  /** Another run holds the host's lock: nothing ran (script exit status LOCKED_EXIT). */
  | { t: 'locked'; holder: LockHolder }
  /** Something the operator should know (a stale lock taken over, a lock seen in check mode). */
  | { t: 'warn'; msg: string }
  /** The host cannot run at all (not enough free disk space); nothing was changed. */
  | { t: 'abort'; class: ErrorClass; msg: string }
  /** A retried task failed an attempt (or its until condition was false) and runs again after `delay` s. */
  | { t: 'retry'; id: number; attempt: number; left: number; delay: number }
  /** The script got SIGTERM/SIGINT: the current task was killed, the lock released. */
  | { t: 'interrupted'; signal: string }
  /** The host stopped at a task boundary before its next task: asked to, or the controller fell silent. */
  | { t: 'stopped'; reason: (typeof STOP_REASONS)[number]; msg: string }
  /** A journal replay begins: `steps` journal lines of run `runId`, undone newest first. */
  | { t: 'rollback'; runId: string; steps: number; check: boolean }
  /** One undone step: undone, kept (reported, not removed), skipped (nothing to do) or failed. */
  | { t: 'undo'; task: number; op: string; path: string; status: 'undone' | 'kept' | 'skipped' | 'failed'; msg: string }
  | { t: 'rollback_end'; undone: number; kept: number; skipped: number; failed: number; ms: number }
  /** A task (firewall) asks the controller to log in anew and create `file` to prove access. */
  | { t: 'confirm'; id: number; file: string }
  /** A task starts (after its `when` held): progress shows what runs now. */
  | { t: 'begin'; id: number }
  | { t: 'end'; ok: number; changed: number; failed: number; skipped: number; ignored: number; ms: number };

/**
 * Splits the script's stdout into lines and decodes those that start with the run's marker.
 * Other lines (there should be none: task output is captured) are kept in `stray` for debugging.
 */
export class EventParser {
  private buf = '';
  private readonly decoder = new TextDecoder('utf-8');
  readonly stray: string[] = [];

  constructor(
    private readonly marker: string,
    private readonly onEvent: (e: ScriptEvent) => void,
  ) {}

  push(chunk: Buffer | string): void {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.line(line);
    }
  }

  end(): void {
    this.buf += this.decoder.decode();
    if (this.buf !== '') this.line(this.buf);
    this.buf = '';
  }

  private line(line: string): void {
    const prefix = this.marker + ' ';
    if (!line.startsWith(prefix)) {
      if (line !== '' && this.stray.length < 1000) this.stray.push(line);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line.slice(prefix.length));
    } catch {
      this.stray.push(line);
      return;
    }
    const e = decode(raw);
    if (e) this.onEvent(e);
    else this.stray.push(line);
  }
}

function unb64(v: unknown): string {
  return typeof v === 'string' && v !== '' ? Buffer.from(v, 'base64').toString('utf8') : '';
}

/** "run X by U from M since T (pid P)": how a lock refusal names the holder. */
export function holderText(h: LockHolder): string {
  return `run ${h.runId || '?'} by ${h.user || '?'} from ${h.machine || '?'} since ${h.since || '?'} (pid ${h.pid || '?'})`;
}

const REJECT = Symbol('reject');
const OMIT = Symbol('omit');

/** One field's value from the wire object, as the table says (REJECT/OMIT when it is bad). */
function field(o: Record<string, unknown>, f: EventField): unknown {
  const v = f.kind === 'b64' ? o[`${f.wire}_b64`] : o[f.wire];
  let good: unknown;
  switch (f.kind) {
    case 'int':
      good = typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      break;
    case 'bool':
      good = typeof v === 'boolean' ? v : undefined;
      break;
    case 'str':
      good = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
      if (typeof good === 'string' && f.valid && !f.valid(good)) good = undefined;
      break;
    case 'text':
      good = typeof v === 'string' ? v : typeof o[`${f.wire}_b64`] === 'string' ? unb64(o[`${f.wire}_b64`]) : undefined;
      break;
    case 'b64':
      good = typeof v === 'string' ? unb64(v) : undefined;
      break;
  }
  if (good !== undefined) return good;
  if (f.bad === 'reject') return REJECT;
  if (f.bad === 'omit' || (f.optional && v === undefined)) return OMIT;
  if (f.bad !== undefined) return f.bad;
  return f.kind === 'int' ? 0 : f.kind === 'bool' ? false : '';
}

/** Decodes one event object by the table (event-table.ts); undefined for anything it does not describe. */
function decode(raw: unknown): ScriptEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const spec = typeof o.t === 'string' ? eventSpec(o.t) : undefined;
  if (!spec) return undefined;
  const e: Record<string, unknown> = { t: o.t };
  for (const f of spec.fields) {
    const v = field(o, f);
    if (v === REJECT) return undefined;
    if (v !== OMIT) e[f.key ?? f.wire] = v;
  }
  if (o.t === 'locked') {
    const { runId, user, machine, since, pid } = e;
    return { t: 'locked', holder: { runId, user, machine, since, pid } as LockHolder };
  }
  // The table and the ScriptEvent union describe the same shapes (event-table.test.ts decodes
  // what every bash emitter sends).
  return e as ScriptEvent;
}
