/** Why a task failed, decided on the host (chom__classify in prelude/safety.sh). */
export type ErrorClass = 'timeout' | 'disk_full' | 'pkg_lock' | 'permission' | 'download' | 'not_found' | 'other';

/** What the operator should do about each class: reporters print it under the failure. */
export const ERROR_ADVICE: Record<ErrorClass, string> = {
  timeout: 'timed out: the task and its processes were killed; raise timeout: (or --task-timeout) if it is just slow, else find what hangs',
  disk_full: 'disk full: free space on the host (apt-get clean, old logs, /var/backups/chom-play) and run again; a file being replaced keeps its previous content',
  pkg_lock: 'package-manager lock held: another apt/dpkg (or unattended-upgrades) is running; let it finish and run again',
  permission: 'permission denied: run with become (sudo) or fix the owner/mode of the path',
  download: 'download failed: check the host can reach the mirror or URL (proxy, DNS), then run again',
  not_found: 'not found: a command, file, package or unit the task needs is missing; install or create it first',
  other: '',
};

const CLASSES = new Set(Object.keys(ERROR_ADVICE));

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

const STATUSES = new Set(['ok', 'changed', 'failed', 'skipped']);
const UNDO_STATUSES = new Set(['undone', 'kept', 'skipped', 'failed']);

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

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** "run X by U from M since T (pid P)": how a lock refusal names the holder. */
export function holderText(h: LockHolder): string {
  return `run ${h.runId || '?'} by ${h.user || '?'} from ${h.machine || '?'} since ${h.since || '?'} (pid ${h.pid || '?'})`;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function decode(raw: unknown): ScriptEvent | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  switch (o.t) {
    case 'start':
      return { t: 'start', host: String(o.host ?? ''), runId: String(o.run_id ?? ''), check: o.check === true, diff: o.diff === true };
    case 'task':
      if (typeof o.id !== 'number' || typeof o.status !== 'string' || !STATUSES.has(o.status)) return undefined;
      return {
        t: 'task',
        id: o.id,
        status: o.status as 'ok' | 'changed' | 'failed' | 'skipped',
        rc: num(o.rc),
        ms: num(o.ms),
        msg: typeof o.msg === 'string' ? o.msg : unb64(o.msg_b64),
        diff: unb64(o.diff_b64),
        output: unb64(o.out_b64),
        ...(typeof o.class === 'string' && CLASSES.has(o.class) ? { class: o.class as ErrorClass } : {}),
        ...(typeof o.attempts === 'number' ? { attempts: o.attempts } : {}),
      };
    case 'locked':
      return { t: 'locked', holder: { runId: str(o.run_id), user: str(o.user), machine: str(o.machine), since: str(o.since), pid: str(o.pid) } };
    case 'warn':
      return { t: 'warn', msg: unb64(o.msg_b64) };
    case 'abort':
      return { t: 'abort', class: typeof o.class === 'string' && CLASSES.has(o.class) ? (o.class as ErrorClass) : 'other', msg: unb64(o.msg_b64) };
    case 'retry':
      if (typeof o.id !== 'number') return undefined;
      return { t: 'retry', id: o.id, attempt: num(o.attempt), left: num(o.left), delay: num(o.delay) };
    case 'interrupted':
      return { t: 'interrupted', signal: str(o.signal) };
    case 'rollback':
      return { t: 'rollback', runId: str(o.run_id), steps: num(o.steps), check: o.check === true };
    case 'undo':
      if (typeof o.status !== 'string' || !UNDO_STATUSES.has(o.status)) return undefined;
      return { t: 'undo', task: num(o.task), op: str(o.op), path: str(o.path), status: o.status as 'undone', msg: unb64(o.msg_b64) };
    case 'rollback_end':
      return { t: 'rollback_end', undone: num(o.undone), kept: num(o.kept), skipped: num(o.skipped), failed: num(o.failed), ms: num(o.ms) };
    case 'begin':
      return typeof o.id === 'number' ? { t: 'begin', id: o.id } : undefined;
    case 'confirm':
      if (typeof o.id !== 'number' || typeof o.file !== 'string' || !/^\/run\/chom-play\/confirm\/[A-Za-z0-9._-]+$/.test(o.file)) return undefined;
      return { t: 'confirm', id: o.id, file: o.file };
    case 'end':
      return { t: 'end', ok: num(o.ok), changed: num(o.changed), failed: num(o.failed), skipped: num(o.skipped), ignored: num(o.ignored), ms: num(o.ms) };
    default:
      return undefined;
  }
}
