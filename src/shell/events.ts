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
    }
  /** A task (firewall) asks the controller to log in anew and create `file` to prove access. */
  | { t: 'confirm'; id: number; file: string }
  | { t: 'end'; ok: number; changed: number; failed: number; skipped: number; ignored: number; ms: number };

const STATUSES = new Set(['ok', 'changed', 'failed', 'skipped']);

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
        msg: unb64(o.msg_b64),
        diff: unb64(o.diff_b64),
        output: unb64(o.out_b64),
      };
    case 'confirm':
      if (typeof o.id !== 'number' || typeof o.file !== 'string' || !/^\/run\/chom-play\/confirm\/[A-Za-z0-9._-]+$/.test(o.file)) return undefined;
      return { t: 'confirm', id: o.id, file: o.file };
    case 'end':
      return { t: 'end', ok: num(o.ok), changed: num(o.changed), failed: num(o.failed), skipped: num(o.skipped), ignored: num(o.ignored), ms: num(o.ms) };
    default:
      return undefined;
  }
}
