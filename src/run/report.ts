import type { SourceLoc } from '../errors.js';
import { formatLoc } from '../errors.js';
import { adviceFor, type FailureClass } from '../failure-class.js';
import type { HostStats } from './stats.js';
import { recapLine } from './stats.js';
import type { ScriptEvent } from '../shell/events.js';

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped';

/** One task result as the user sees it (already redacted). */
export interface TaskResult {
  host: string;
  taskId: number;
  name: string;
  loc: SourceLoc;
  status: TaskStatus;
  ms: number;
  rc?: number;
  msg?: string;
  diff?: string;
  output?: string;
  ignored?: boolean;
  handler?: boolean;
  /** Why it failed (src/failure-class.ts: disk-full, timeout, lock-held, ...). */
  class?: FailureClass;
  /** What the operator should do about it (the class's advice). */
  todo?: string;
  /** Module return values `register` held (stat's stat, ...), redacted; absent when none. */
  registered?: Record<string, unknown>;
}

/** Everything the run tells the user goes through one Reporter; the CLI picks which. */
export interface Reporter {
  runStart(info: { runId: string; playbook: string; check: boolean; hosts: number }): void;
  playStart(name: string, hosts: string[]): void;
  hostStart(host: string, tasks: number): void;
  taskResult(r: TaskResult): void;
  hostFailed(host: string, kind: 'failed' | 'unreachable', message: string): void;
  hostEnd(host: string, stats: HostStats): void;
  warn(message: string): void;
  info(message: string): void;
  recap(stats: Map<string, HostStats>, ms: number): void;
  /** serial: a batch of a play's hosts starts (optional: reporters written before serial). */
  batchStart?(play: string, index: number, count: number, hosts: string[]): void;
  /** A task started on a host (progress bars show its name and elapsed time). */
  taskStart?(host: string, taskId: number, name: string): void;
  /** The rollback command: a host begins replaying a run's journal, newest first. */
  rollbackStart?(host: string, info: { runId: string; steps: number; check: boolean }): void;
  /** The rollback command: one journal step undone, kept, skipped or failed. */
  undoStep?(host: string, step: UndoStep): void;
  /** The rollback command's closing summary, one line per host. */
  rollbackRecap?(results: HostRollback[], check: boolean): void;
}

/** One host's journal replay: announced by `rollback`, counted by `rollback_end`. */
export interface RollbackSummary {
  runId: string;
  steps: number;
  check: boolean;
  /** `rollback_end` arrived: the counts below are the host's own. */
  ended: boolean;
  undone: number;
  kept: number;
  skipped: number;
  failed: number;
}

/** One undone journal step, as the host reported it. */
export type UndoStep = Omit<Extract<ScriptEvent, { t: 'undo' }>, 't'>;

/** How one host's rollback ended (the rollback command's recap line). */
export interface HostRollback extends Pick<RollbackSummary, 'undone' | 'kept' | 'skipped' | 'failed'> {
  host: string;
  outcome: 'rolled-back' | 'nothing' | 'failed' | 'locked' | 'unreachable';
  runId?: string;
}

const UNDO_TAG: Record<UndoStep['status'], string> = { undone: 'undone', kept: 'KEPT', skipped: 'skip', failed: 'FAILED' };

type Write = (s: string) => void;

/** Plain lines for pipes and CI: one per task result, no escape codes. */
export class PlainReporter implements Reporter {
  constructor(
    private readonly out: Write,
    private readonly opts: { diff: boolean; verbose: boolean },
  ) {}

  runStart(info: { runId: string; playbook: string; check: boolean; hosts: number }): void {
    this.out(`RUN ${info.runId}: ${info.playbook}${info.check ? ' (check mode: nothing will be changed)' : ''}\n`);
  }
  playStart(name: string, hosts: string[]): void {
    this.out(`\nPLAY [${name}] on ${hosts.length} host${hosts.length === 1 ? '' : 's'}\n`);
  }
  hostStart(): void {}
  taskResult(r: TaskResult): void {
    const label = r.status === 'failed' && r.ignored ? 'failed (ignored)' : r.status;
    const extra = r.msg && (r.status !== 'ok' || this.opts.verbose) ? ` - ${r.msg.split('\n')[0]}` : '';
    this.out(`${label}: [${r.host}] ${r.handler ? 'HANDLER ' : ''}${r.name} (${formatLoc(r.loc)}) ${r.ms}ms${extra}\n`);
    if (r.status === 'failed') {
      if (r.msg && r.msg.includes('\n')) this.out(indent(r.msg));
      if (r.class) this.out(`  error class: ${r.class}\n`);
      const todo = r.todo ?? todoForClass(r.class);
      if (todo) this.out(`  what to do: ${todo}\n`);
      if (r.rc !== undefined) this.out(`  exit code: ${explainExit(r.rc)}\n`);
      if (r.output) this.out(`  last output:\n${indent(lastLines(r.output, 20), '    ')}`);
    }
    if (this.opts.diff && r.diff) this.out(indent(r.diff, '    '));
  }
  hostFailed(host: string, kind: 'failed' | 'unreachable', message: string): void {
    this.out(`${kind === 'unreachable' ? 'UNREACHABLE' : 'FAILED'}: [${host}] ${message}\n`);
  }
  hostEnd(): void {}
  batchStart(play: string, index: number, count: number, hosts: string[]): void {
    this.out(`BATCH ${index + 1}/${count} of [${play}]: ${hosts.join(', ')}\n`);
  }
  warn(message: string): void {
    this.out(`WARNING: ${message}\n`);
  }
  info(message: string): void {
    this.out(`${message}\n`);
  }
  recap(stats: Map<string, HostStats>, ms: number): void {
    const width = Math.max(0, ...[...stats.keys()].map((h) => h.length));
    this.out(`\nPLAY RECAP (${(ms / 1000).toFixed(1)}s)\n`);
    for (const [h, s] of stats) this.out(recapLine(h, s, width) + '\n');
  }
  rollbackStart(host: string, info: { runId: string; steps: number; check: boolean }): void {
    this.check = info.check;
    this.out(`${host}: rolling back run ${info.runId} (${info.steps} steps, newest first)${info.check ? ' [check mode]' : ''}\n`);
  }
  undoStep(host: string, step: UndoStep): void {
    this.out(`  ${host}: [${step.status === 'undone' && this.check ? 'check' : UNDO_TAG[step.status]}] ${step.msg}\n`);
  }
  rollbackRecap(results: HostRollback[], check: boolean): void {
    const verb = check ? 'would undo' : 'undone';
    this.out(`\nROLLBACK RECAP${check ? ' (check mode: nothing was changed)' : ''}\n`);
    for (const r of results)
      this.out(
        `${r.host.padEnd(20)} ${r.outcome.padEnd(12)} ${r.runId ? `run=${r.runId} ` : ''}${verb}=${r.undone} kept=${r.kept} skipped=${r.skipped} failed=${r.failed}\n`,
      );
  }
  /** A check-mode replay says "check" where a real one says "undone". */
  private check = false;
}

/** `--output json`: one JSON object per line for other programs. */
export class JsonReporter implements Reporter {
  constructor(private readonly out: Write) {}
  private emit(o: object): void {
    this.out(JSON.stringify(o) + '\n');
  }
  runStart(info: { runId: string; playbook: string; check: boolean; hosts: number }): void {
    this.emit({ event: 'run_start', ...info });
  }
  playStart(name: string, hosts: string[]): void {
    this.emit({ event: 'play_start', play: name, hosts });
  }
  hostStart(host: string, tasks: number): void {
    this.emit({ event: 'host_start', host, tasks });
  }
  taskResult(r: TaskResult): void {
    this.emit({ event: 'task', ...r, loc: formatLoc(r.loc) });
  }
  hostFailed(host: string, kind: 'failed' | 'unreachable', message: string): void {
    this.emit({ event: 'host_' + kind, host, message });
  }
  hostEnd(host: string, stats: HostStats): void {
    this.emit({ event: 'host_end', host, stats });
  }
  batchStart(play: string, index: number, count: number, hosts: string[]): void {
    this.emit({ event: 'batch_start', play, batch: index + 1, batches: count, hosts });
  }
  warn(message: string): void {
    this.emit({ event: 'warning', message });
  }
  info(message: string): void {
    this.emit({ event: 'info', message });
  }
  recap(stats: Map<string, HostStats>, ms: number): void {
    this.emit({ event: 'recap', ms, hosts: Object.fromEntries(stats) });
  }
  rollbackStart(host: string, info: { runId: string; steps: number; check: boolean }): void {
    this.emit({ event: 'rollback', host, run_id: info.runId, steps: info.steps, check: info.check });
  }
  undoStep(host: string, step: UndoStep): void {
    this.emit({ event: 'undo', host, ...step });
  }
  rollbackRecap(results: HostRollback[], check: boolean): void {
    this.emit({ event: 'recap', check, hosts: results });
  }
}

/** What to do about a failure of a known class (the one advice table: src/failure-class.ts). */
export function todoForClass(cls: string | undefined): string | undefined {
  return adviceFor(cls);
}

const EXIT_MEANINGS: Record<number, string> = {
  1: 'general error',
  2: 'misuse of a shell builtin or invalid arguments',
  124: 'timed out',
  126: 'command found but not executable (permission denied?)',
  127: 'command not found',
  128: 'invalid exit argument',
  130: 'interrupted (SIGINT)',
  137: 'killed (SIGKILL, out of memory?)',
  143: 'terminated (SIGTERM)',
};

/** zx-style: exit codes in words. */
export function explainExit(rc: number): string {
  const m = EXIT_MEANINGS[rc] ?? (rc > 128 ? `killed by signal ${rc - 128}` : undefined);
  return m ? `${rc} (${m})` : String(rc);
}

function lastLines(s: string, n: number): string {
  const lines = s.replace(/\n$/, '').split('\n');
  return lines.slice(-n).join('\n') + '\n';
}

function indent(s: string, pad = '  '): string {
  return (
    s
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => pad + l)
      .join('\n') + '\n'
  );
}
