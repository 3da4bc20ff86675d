import type { SourceLoc } from '../errors.js';
import { commentText, scriptHeader, startEventLine, type HeaderSpec } from './header.js';
import { PRELUDE } from './prelude.js';
import { quote } from './quote.js';
import { mainWithBlocks, type ScriptBlockFrame } from './blocks.js';

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
  /** Seconds before the task's process group is killed and the task fails as timed out (0 = none). */
  timeout?: number;
  /** Runs of the task at most (retries + 1); 1 when not retried. */
  attempts?: number;
  /** Seconds between attempts (default 5). */
  delay?: number;
  /** Ready-made bash condition over the registered result: stop retrying once it holds. */
  until?: string;
  /** Absolute paths whose metadata the task reads: read for all tasks by one stat at the start. */
  paths?: string[];
  /** Files whose content the task compares with a hash the controller knows: one sha256sum at the start. */
  hashPaths?: string[];
  /** Blocks around the task, outermost first (block/rescue/always, see blocks.ts). */
  blocks?: ScriptBlockFrame[];
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
  /** Who runs it and from which machine: recorded in the host's run lock (shown to a second run). */
  user?: string;
  machine?: string;
  /** How the controller runs it (login user, sudo -n or not): one header line, so render output says it. */
  runAs?: string;
  /** Default per-task timeout in seconds (--task-timeout); a task's own `timeout:` wins. 0 = none. */
  taskTimeout?: number;
  /** Free space (MB) / and /var need before any task (play keyword min_disk_free_mb); 0 = no check. */
  minDiskFreeMb?: number;
  /** Play keyword rollback_on_failure: a failed task undoes this run's journal on the host. */
  rollbackOnFailure?: boolean;
  /** Seconds without a controller heartbeat before the host stops at a task boundary (default 30). */
  heartbeatTimeout?: number;
}

/** Exit status of a script refused because another run holds the host's lock ("locked" event). */
export const LOCKED_EXIT = 3;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
  if (t.until !== undefined) L.push(`chom_until_${t.id}() { ${t.until}; }`);
  return L.join('\n');
}

function count(v: number | undefined, what: string, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * `chom__run id=N setting=value...`: only settings that differ from chom__run's defaults (see
 * prelude/run.sh), so a rendered script says what is special about each task.
 */
function runCall(t: ScriptTask, taskTimeout: number, rescued = false): string {
  if (!Number.isInteger(t.id) || t.id < 0) throw new Error(`task id must be a non-negative integer, got ${t.id}`);
  if (t.register !== undefined && !NAME_RE.test(t.register)) throw new Error(`register name "${t.register}" is not a valid variable name`);
  for (const h of t.notify) if (!Number.isInteger(h) || h < 0) throw new Error(`handler id must be a non-negative integer, got ${h}`);
  const w = ['chom__run', `id=${t.id}`];
  if (t.when !== undefined) w.push(`when=chom_when_${t.id}`);
  if (t.changedWhen !== undefined) w.push(`changed_when=chom_changed_when_${t.id}`);
  if (t.failedWhen !== undefined) w.push(`failed_when=chom_failed_when_${t.id}`);
  if (t.register !== undefined) w.push(`register=${t.register}`);
  if (t.noLog) w.push('no_log=1');
  if (t.ignoreErrors) w.push('ignore_errors=1');
  if (rescued) w.push('rescue=1');
  const timeout = count(t.timeout, 'timeout', taskTimeout, 0);
  if (timeout !== taskTimeout) w.push(`timeout=${timeout}`);
  const attempts = count(t.attempts, 'attempts', 1, 1);
  if (attempts !== 1) w.push(`attempts=${attempts}`);
  const delay = count(t.delay, 'delay', 5, 0);
  if (delay !== 5) w.push(`delay=${delay}`);
  if (t.until !== undefined) w.push(`until=chom_until_${t.id}`);
  if (t.notify.length > 0) w.push(`notify=${t.notify.join(',')}`);
  return w.join(' ');
}

/**
 * The whole script for one host. It runs the same way when the controller sends it to
 * `bash -s` and when a user pipes `chom-play render` output into bash by hand: main is one
 * function called on the last line, so bash has read everything before any task runs, and
 * tasks read /dev/null, never the rest of the script.
 */
export function buildScript(spec: ScriptSpec): string {
  const to = count(spec.taskTimeout, 'taskTimeout', 0, 0);
  const header: HeaderSpec = {
    kind: 'script',
    host: spec.host,
    runId: spec.runId,
    marker: spec.marker,
    check: spec.check,
    diff: spec.diff,
    user: spec.user,
    machine: spec.machine,
    runAs: spec.runAs,
    settings: [
      ['CHOM_MIN_DISK_MB', count(spec.minDiskFreeMb, 'minDiskFreeMb', 0, 0)],
      ['CHOM_ROLLBACK_ON_FAILURE', spec.rollbackOnFailure ? 1 : 0],
      ['CHOM_TASK_TIMEOUT', to],
      ['CHOM_HEARTBEAT_TIMEOUT', count(spec.heartbeatTimeout, 'heartbeatTimeout', 30, 1)],
    ],
  };
  const out: string[] = [...scriptHeader(header), PRELUDE, '# ---- tasks ----'];
  for (const t of spec.tasks) out.push(taskFunctions(t, 'task'));
  const blocks = mainWithBlocks(spec.tasks, (t, rescued) => runCall(t, to, rescued));
  if (blocks.functions.length > 0) out.push('# ---- blocks ----', ...blocks.functions);
  if (spec.handlers.length > 0) out.push('# ---- handlers ----');
  for (const h of spec.handlers) out.push(taskFunctions(h, 'handler'));

  const main = [
    'chom_main() {',
    '  chom__init',
    '  chom__now; CHOM_T0=$CHOM_NOW',
    `  ${startEventLine(header)}`,
    // Free space first (it only reads), then the lock: both before any change.
    '  chom__disk_check || { CHOM_EXIT=2; return 0; }',
    `  chom__lock || { CHOM_EXIT=${LOCKED_EXIT}; return 0; }`,
  ];
  // One stat for every managed path and one sha256sum for every file of known content, after
  // the lock: tasks then decide in builtins (prelude/files.sh).
  const all = [...spec.tasks, ...spec.handlers];
  const listed = (pick: (t: ScriptTask) => string[] | undefined): string[] =>
    [...new Set(all.flatMap((t) => pick(t) ?? []))].filter((p) => p.startsWith('/') && !/[\n\r\\]/.test(p));
  const paths = listed((t) => t.paths);
  const hashPaths = listed((t) => t.hashPaths);
  if (paths.length > 0) main.push(`  chom__prefetch ${paths.map((p) => quote(p)).join(' ')}`);
  if (hashPaths.length > 0) main.push(`  chom__prefetch_sha ${hashPaths.map((p) => quote(p)).join(' ')}`);
  for (const c of blocks.calls) main.push(`  ${c} || { chom__stop; return 0; }`);
  for (const h of spec.handlers) {
    main.push(`  if chom__notified ${h.id}; then ${runCall(h, to)} || { chom__stop; return 0; }; fi`);
  }
  main.push('  chom__finish', '}');
  out.push('# ---- main ----', ...main, 'chom_main "$@"; exit "$CHOM_EXIT"', '');
  return out.join('\n');
}
