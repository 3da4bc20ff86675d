/**
 * The script protocol's one table: every event type the host script sends, with its fields in
 * order. It generates the bash emitters (`chom__ev_TYPE ARG...`, one positional argument per
 * field, in this order) that every emit site in src/shell/prelude/*.sh calls, and it drives the
 * decoder in events.ts. event-table.test.ts checks every emit site's arguments against it.
 *
 * Wire format: one line `MARKER {"t":"TYPE",...}`. Field kinds:
 *   int   a JSON number; the bash argument must be an integer ("" -> 0, or left out if optional)
 *   bool  JSON true/false; the bash argument is true or false
 *   str   a JSON string, escaped in bash builtins (short text: names, paths, words)
 *   text  free text (messages): "NAME":"..." when printable, else "NAME_b64":"<base64>"
 *   b64   the bash argument is already base64 (diffs, output tails); sent as "NAME_b64"
 * Optional fields are left out of the line when their argument is empty.
 */
import { isFailureClass } from '../failure-class.js';

export type FieldKind = 'int' | 'bool' | 'str' | 'text' | 'b64';

export interface EventField {
  /** Name on the wire (before any _b64 suffix). */
  wire: string;
  /** Name in the decoded ScriptEvent (default: wire). */
  key?: string;
  kind: FieldKind;
  optional?: boolean;
  /** A str field must pass this check, else `bad` decides. */
  valid?: (v: string) => boolean;
  /**
   * When a field is missing, of the wrong type or not valid: 'reject' drops the whole event
   * (kept as a stray line), 'omit' leaves the key out, a string is used instead. Default: the
   * kind's zero value ('' / 0 / false).
   */
  bad?: 'reject' | 'omit' | string;
}

export interface EventSpec {
  fields: readonly EventField[];
  /** Sent by the controller's own code (the header's start line), not by a bash emitter. */
  fromController?: boolean;
  /** Emitted from inside a task (its stdout is captured): written to $CHOM_EVENT_FD. */
  eventFd?: boolean;
}

const oneOf =
  (...values: string[]) =>
  (v: string): boolean =>
    values.includes(v);

const TASK_STATUSES = ['ok', 'changed', 'failed', 'skipped'] as const;
const UNDO_STATUSES = ['undone', 'kept', 'skipped', 'failed'] as const;
/** Why a host stopped at a task boundary before its last task. */
export const STOP_REASONS = ['stop-requested', 'controller-silent', 'controller-lost'] as const;

export const EVENTS = {
  start: {
    fromController: true,
    fields: [
      { wire: 'host', kind: 'str' },
      { wire: 'run_id', key: 'runId', kind: 'str' },
      { wire: 'check', kind: 'bool' },
      { wire: 'diff', kind: 'bool' },
    ],
  },
  begin: { fields: [{ wire: 'id', kind: 'int', bad: 'reject' }] },
  task: {
    fields: [
      { wire: 'id', kind: 'int', bad: 'reject' },
      { wire: 'status', kind: 'str', valid: oneOf(...TASK_STATUSES), bad: 'reject' },
      { wire: 'rc', kind: 'int' },
      { wire: 'ms', kind: 'int' },
      { wire: 'msg', kind: 'text' },
      { wire: 'diff', kind: 'b64' },
      { wire: 'out', key: 'output', kind: 'b64' },
      { wire: 'class', kind: 'str', optional: true, valid: isFailureClass, bad: 'omit' },
      { wire: 'attempts', kind: 'int', optional: true, bad: 'omit' },
      // Module return values of a registered task (chom_ret pairs, see prelude/run.sh chom__retv).
      { wire: 'ret', kind: 'b64', optional: true, bad: 'omit' },
    ],
  },
  retry: {
    fields: [
      { wire: 'id', kind: 'int', bad: 'reject' },
      { wire: 'attempt', kind: 'int' },
      { wire: 'left', kind: 'int' },
      { wire: 'delay', kind: 'int' },
    ],
  },
  locked: {
    fields: [
      { wire: 'run_id', key: 'runId', kind: 'str' },
      { wire: 'user', kind: 'str' },
      { wire: 'machine', kind: 'str' },
      { wire: 'since', kind: 'str' },
      { wire: 'pid', kind: 'str' },
    ],
  },
  warn: { fields: [{ wire: 'msg', kind: 'text' }] },
  abort: {
    fields: [
      { wire: 'class', kind: 'str', valid: isFailureClass, bad: 'other' },
      { wire: 'msg', kind: 'text' },
    ],
  },
  interrupted: { fields: [{ wire: 'signal', kind: 'str' }] },
  stopped: {
    fields: [
      { wire: 'reason', kind: 'str', valid: oneOf(...STOP_REASONS), bad: 'reject' },
      { wire: 'msg', kind: 'text' },
    ],
  },
  rollback: {
    fields: [
      { wire: 'run_id', key: 'runId', kind: 'str' },
      { wire: 'steps', kind: 'int' },
      { wire: 'check', kind: 'bool' },
    ],
  },
  undo: {
    fields: [
      { wire: 'task', kind: 'int' },
      { wire: 'op', kind: 'str' },
      { wire: 'path', kind: 'str' },
      { wire: 'status', kind: 'str', valid: oneOf(...UNDO_STATUSES), bad: 'reject' },
      { wire: 'msg', kind: 'text' },
    ],
  },
  rollback_end: {
    fields: [
      { wire: 'undone', kind: 'int' },
      { wire: 'kept', kind: 'int' },
      { wire: 'skipped', kind: 'int' },
      { wire: 'failed', kind: 'int' },
      { wire: 'ms', kind: 'int' },
    ],
  },
  confirm: {
    eventFd: true,
    fields: [
      { wire: 'id', kind: 'int', bad: 'reject' },
      { wire: 'file', kind: 'str', valid: (v) => /^\/run\/chom-play\/confirm\/[A-Za-z0-9._-]+$/.test(v), bad: 'reject' },
    ],
  },
  end: {
    fields: [
      { wire: 'ok', kind: 'int' },
      { wire: 'changed', kind: 'int' },
      { wire: 'failed', kind: 'int' },
      { wire: 'skipped', kind: 'int' },
      { wire: 'ignored', kind: 'int' },
      { wire: 'ms', kind: 'int' },
    ],
  },
} as const satisfies Record<string, EventSpec>;

export type EventType = keyof typeof EVENTS;

export function eventSpec(t: string): EventSpec | undefined {
  return Object.hasOwn(EVENTS, t) ? (EVENTS as Record<string, EventSpec>)[t] : undefined;
}

/** One event line's JSON, built on the controller (the start line in script headers). */
export function encodeEvent(t: EventType, values: Record<string, string | number | boolean>): string {
  const spec: EventSpec = EVENTS[t];
  const o: Record<string, string | number | boolean> = { t };
  for (const f of spec.fields) {
    const v = values[f.key ?? f.wire];
    if (v === undefined) {
      if (f.optional) continue;
      throw new Error(`event ${t}: field ${f.key ?? f.wire} is missing`);
    }
    if (f.kind === 'b64' || (f.kind === 'text' && /[\u0000-\u001f\u007f]/.test(String(v))))
      o[`${f.wire}_b64`] = Buffer.from(String(v)).toString('base64');
    else o[f.wire] = v;
  }
  return JSON.stringify(o);
}

/** Bash that appends one field to $CHOM_E from positional argument n. */
function fieldBash(f: EventField, n: number): string {
  const arg = `"\${${n}-}"`;
  const name = f.wire;
  const put = ((): string => {
    switch (f.kind) {
      case 'int':
        return f.optional ? `CHOM_E+=",\\"${name}\\":\${${n}}"` : `CHOM_E+=",\\"${name}\\":\${${n}:-0}"`;
      case 'bool':
        return `CHOM_E+=",\\"${name}\\":\${${n}:-false}"`;
      case 'str':
        return `chom__jstr ${name} ${arg}`;
      case 'text':
        return `chom__jtext ${name} ${arg}`;
      case 'b64':
        return `CHOM_E+=",\\"${name}_b64\\":\\"\${${n}-}\\""`;
    }
  })();
  return f.optional ? `[ -z ${arg} ] || ${put}` : put;
}

/** The bash emitters, one function per host-sent event type (part of the prelude). */
export function bashEmitters(): string {
  const out = ['# ---- chom-play runtime: event emitters (generated from src/shell/event-table.ts) ----'];
  for (const [t, spec] of Object.entries(EVENTS) as Array<[string, EventSpec]>) {
    if (spec.fromController) continue;
    const args = spec.fields.map((f) => (f.optional ? `[${f.wire.toUpperCase()}]` : f.wire.toUpperCase())).join(' ');
    out.push(`# chom__ev_${t} ${args}`);
    const body = [
      `CHOM_E='{"t":"${t}"'`,
      ...spec.fields.map((f, i) => fieldBash(f, i + 1)),
      `chom__emit "$CHOM_E}"${spec.eventFd ? ' >&"$CHOM_EVENT_FD"' : ''}`,
    ];
    out.push(`chom__ev_${t}() {`, ...body.map((l) => `  ${l}`), '}');
  }
  return out.join('\n') + '\n';
}
