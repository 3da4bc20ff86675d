import type { SourceLoc } from '../errors.js';
import { PRELUDE } from './prelude.js';
import { quote } from './quote.js';

/** One compiled task (or handler) of a host's script. */
export interface ScriptTask {
  id: number;
  name: string;
  loc: SourceLoc;
  /** Module snippet: the body of the task's bash function. */
  body: string;
  /** Ready-made bash condition; the task is skipped when it is false. */
  when?: string;
  register?: string;
  /** Handler ids this task notifies when it reports changed. */
  notify: number[];
  ignoreErrors: boolean;
  changedWhen?: string;
  failedWhen?: string;
  noLog: boolean;
}

export interface ScriptSpec {
  host: string;
  runId: string;
  /** Random per-run prefix of event lines; task output cannot know it. */
  marker: string;
  check: boolean;
  diff: boolean;
  tasks: ScriptTask[];
  /** In definition order: notified handlers run at the end in this order, once each. */
  handlers: ScriptTask[];
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Text safe inside a bash comment: one line, no control characters. */
function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

function taskFunctions(t: ScriptTask, kind: 'task' | 'handler'): string {
  const L = [
    `# ${kind} ${t.id}: ${commentText(t.name)} (${commentText(`${t.loc.file}:${t.loc.line}`)})`,
    `chom_task_${t.id}() {`,
    t.body.replace(/\n$/, ''),
    '}',
  ];
  if (t.when !== undefined) L.push(`chom_when_${t.id}() { ${t.when}; }`);
  if (t.changedWhen !== undefined) L.push(`chom_changed_when_${t.id}() { ${t.changedWhen}; }`);
  if (t.failedWhen !== undefined) L.push(`chom_failed_when_${t.id}() { ${t.failedWhen}; }`);
  return L.join('\n');
}

function runCall(t: ScriptTask): string {
  if (!Number.isInteger(t.id) || t.id < 0) throw new Error(`task id must be a non-negative integer, got ${t.id}`);
  if (t.register !== undefined && !NAME_RE.test(t.register)) throw new Error(`register name "${t.register}" is not a valid variable name`);
  for (const h of t.notify) if (!Number.isInteger(h)) throw new Error(`handler id must be an integer, got ${h}`);
  return [
    'chom__run',
    String(t.id),
    `chom_task_${t.id}`,
    t.when !== undefined ? `chom_when_${t.id}` : '-',
    t.changedWhen !== undefined ? `chom_changed_when_${t.id}` : '-',
    t.failedWhen !== undefined ? `chom_failed_when_${t.id}` : '-',
    t.register ?? '-',
    t.noLog ? '1' : '0',
    t.ignoreErrors ? '1' : '0',
    ...t.notify.map(String),
  ].join(' ');
}

/**
 * The whole script for one host. It runs the same way when the controller sends it to
 * `bash -s` and when a user pipes `chom-play render` output into bash by hand: main is one
 * function called on the last line, so bash has read everything before any task runs, and
 * tasks read /dev/null, never the rest of the script.
 */
export function buildScript(spec: ScriptSpec): string {
  if (!/^[A-Za-z0-9_-]{8,}$/.test(spec.marker)) throw new Error('the event marker must be 8+ characters of [A-Za-z0-9_-]');
  const start = JSON.stringify({ t: 'start', host: spec.host, run_id: spec.runId, check: spec.check, diff: spec.diff });
  const out: string[] = [
    '#!/usr/bin/env bash',
    `# chom-play script for host ${commentText(spec.host)}, run ${commentText(spec.runId)}${spec.check ? ' (check mode: changes nothing)' : ''}`,
    '# Events go to stdout as lines starting with CHOM_MARKER; task output is captured, never printed.',
    'set -euo pipefail',
    'umask 022',
    'export LC_ALL=C.UTF-8',
    `CHOM_HOST=${quote(spec.host)}`,
    `CHOM_RUN_ID=${quote(spec.runId)}`,
    `CHOM_MARKER=${quote(spec.marker)}`,
    `CHOM_CHECK=${spec.check ? 1 : 0}`,
    `CHOM_DIFF=${spec.diff ? 1 : 0}`,
    '',
    PRELUDE,
    '# ---- tasks ----',
  ];
  for (const t of spec.tasks) out.push(taskFunctions(t, 'task'));
  if (spec.handlers.length > 0) out.push('# ---- handlers ----');
  for (const h of spec.handlers) out.push(taskFunctions(h, 'handler'));

  const main = ['chom_main() {', '  chom__init', '  chom__now; CHOM_T0=$CHOM_NOW', `  chom__emit ${quote(start)}`];
  for (const t of spec.tasks) main.push(`  ${runCall(t)} || { chom__finish; return 0; }`);
  for (const h of spec.handlers) {
    main.push(`  if chom__notified ${h.id}; then ${runCall(h)} || { chom__finish; return 0; }; fi`);
  }
  main.push('  chom__finish', '}');
  out.push('# ---- main ----', ...main, 'chom_main "$@"; exit "$CHOM_EXIT"', '');
  return out.join('\n');
}
