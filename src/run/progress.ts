import cliProgress from 'cli-progress';
import type { HostStats } from './stats.js';
import { PlainReporter, type Reporter, type TaskResult } from './report.js';

/** Above this many hosts one aggregate bar replaces the per-host bars (a screen holds ~20 lines). */
export const PER_HOST_LIMIT = 20;
/** A task running longer than this shows its elapsed time (apt installs, downloads). */
const LONG_TASK_MS = 2000;
const SLOWEST_SHOWN = 3;

interface HostProgress {
  done: number;
  total: number;
  /** The task now running when the runner says so (taskStart), else the last one finished. */
  current: string;
  running: boolean;
  /** When the current task started (the previous result, or hostStart). */
  since: number;
  started: number;
  finished: boolean;
  failed: boolean;
  bar?: cliProgress.SingleBar;
}

type Write = (s: string) => void;

/**
 * Progress on a terminal: one cli-progress bar per host up to PER_HOST_LIMIT hosts, else one
 * aggregate bar with ok/changed/failed counts and the slowest hosts. Each shows task i of n,
 * the current task and, for long tasks, how long it has been running. Failures, warnings and
 * diffs are printed above the bars in the plain format; the recap is printed after them.
 */
export class ProgressReporter implements Reporter {
  private readonly plain: PlainReporter;
  private readonly hosts = new Map<string, HostProgress>();
  private readonly counts = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: 0 };
  private multibar?: cliProgress.MultiBar;
  private aggregate?: cliProgress.SingleBar;
  private timer?: NodeJS.Timeout;
  private hostCount = 0;
  private play = '';

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly out: Write,
    private readonly opts: {
      diff: boolean;
      verbose: boolean;
      /** Bars go straight to the terminal, not through `out`: names in them pass through this. */
      redact?: (s: string) => string;
      now?: () => number;
    },
  ) {
    // Lines printed above the bars go through MultiBar.log so the bars are redrawn below them.
    this.plain = new PlainReporter((s) => this.log(s), opts);
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  private redact(s: string): string {
    return this.opts.redact ? this.opts.redact(s) : s;
  }

  private log(s: string): void {
    if (this.multibar) this.multibar.log(s.endsWith('\n') ? s : `${s}\n`);
    else this.out(s);
  }

  runStart(info: { runId: string; playbook: string; check: boolean; hosts: number }): void {
    this.hostCount = info.hosts;
    this.plain.runStart(info);
  }

  playStart(name: string, hosts: string[]): void {
    this.stopBars();
    this.play = this.redact(name);
    this.hosts.clear();
    this.plain.playStart(name, hosts);
    this.multibar = new cliProgress.MultiBar(
      {
        stream: this.stream,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        barsize: 24,
        fps: 5,
        format: hosts.length > PER_HOST_LIMIT ? aggregateFormat : hostFormat,
      },
      cliProgress.Presets.shades_classic,
    );
    if (hosts.length > PER_HOST_LIMIT) {
      this.aggregate = this.multibar.create(1, 0, this.aggregatePayload());
    }
    this.timer = setInterval(() => this.refresh(), 1000);
    this.timer.unref();
  }

  batchStart(play: string, index: number, count: number, hosts: string[]): void {
    this.plain.batchStart(play, index, count, hosts);
  }

  hostStart(host: string, tasks: number): void {
    const t = this.now();
    const h: HostProgress = {
      done: 0,
      total: tasks,
      current: 'connecting',
      running: false,
      since: t,
      started: t,
      finished: false,
      failed: false,
    };
    this.hosts.set(host, h);
    if (!this.aggregate && this.multibar) h.bar = this.multibar.create(Math.max(tasks, 1), 0, this.hostPayload(host, h));
    this.refresh();
  }

  /** Proposed runner event (see the report): a task began on a host. Optional for the runner. */
  taskStart(host: string, _taskId: number, name: string): void {
    const h = this.hosts.get(host);
    if (!h) return;
    h.current = this.redact(name);
    h.running = true;
    h.since = this.now();
    this.refresh();
  }

  taskResult(r: TaskResult): void {
    const h = this.hosts.get(r.host);
    if (r.status === 'ok') this.counts.ok++;
    else if (r.status === 'changed') this.counts.changed++;
    else if (r.status === 'skipped') this.counts.skipped++;
    else if (!r.ignored) this.counts.failed++;
    if (h) {
      if (!r.handler) h.done = Math.min(h.done + 1, h.total);
      h.current = r.name;
      h.running = false;
      h.since = this.now();
      if (r.status === 'failed' && !r.ignored) h.failed = true;
    }
    // Failed tasks (and diffs with --diff) are worth a line above the bars; the rest is in the bar.
    if ((r.status === 'failed' && !r.ignored) || (this.opts.diff && r.diff) || (this.opts.verbose && r.status !== 'ok'))
      this.plain.taskResult(r);
    this.refresh();
  }

  hostFailed(host: string, kind: 'failed' | 'unreachable', message: string): void {
    if (kind === 'unreachable') this.counts.unreachable++;
    const h = this.hosts.get(host);
    if (h) {
      h.failed = true;
      h.finished = true;
    }
    this.plain.hostFailed(host, kind, message);
    this.refresh();
  }

  hostEnd(host: string, _stats: HostStats): void {
    const h = this.hosts.get(host);
    if (h) {
      h.finished = true;
      h.done = h.total;
      h.current = h.failed ? 'failed' : 'done';
    }
    this.refresh();
  }

  warn(message: string): void {
    this.plain.warn(message);
  }

  info(message: string): void {
    this.plain.info(message);
  }

  recap(stats: Map<string, HostStats>, ms: number): void {
    this.refresh();
    this.stopBars();
    this.plain.recap(stats, ms);
  }

  private stopBars(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.multibar?.stop();
    this.multibar = undefined;
    this.aggregate = undefined;
  }

  private refresh(): void {
    if (!this.multibar) return;
    if (this.aggregate) {
      let done = 0;
      let total = 0;
      for (const h of this.hosts.values()) {
        done += h.done;
        total += h.total;
      }
      this.aggregate.setTotal(Math.max(total, 1));
      this.aggregate.update(done, this.aggregatePayload());
      return;
    }
    for (const [host, h] of this.hosts) h.bar?.update(h.done, this.hostPayload(host, h));
  }

  private elapsed(h: HostProgress): string {
    const ms = this.now() - h.since;
    return !h.finished && ms >= LONG_TASK_MS ? ` (${Math.round(ms / 1000)}s)` : '';
  }

  private hostPayload(host: string, h: HostProgress): Record<string, string> {
    const what = h.finished ? h.current : h.running || h.done === 0 ? h.current : `after: ${h.current}`;
    return { host, task: truncate(what, 60) + this.elapsed(h), state: h.failed ? 'FAILED' : h.finished ? 'done' : '' };
  }

  /** "hosts 12/40 done | ok=.. changed=.. failed=.. | slowest: web3 4/24 Install nginx (31s), ..." */
  private aggregatePayload(): Record<string, string> {
    const all = [...this.hosts.entries()];
    const finished = all.filter(([, h]) => h.finished).length;
    const slowest = all
      .filter(([, h]) => !h.finished)
      .sort(([, a], [, b]) => a.done / a.total - b.done / b.total || a.since - b.since)
      .slice(0, SLOWEST_SHOWN)
      .map(([name, h]) => `${name} ${h.done}/${h.total} ${truncate(h.current, 24)}${this.elapsed(h)}`);
    const c = this.counts;
    return {
      play: truncate(this.play, 30),
      hosts: `${finished}/${Math.max(this.hostCount, all.length)}`,
      counts: `ok=${c.ok} changed=${c.changed} failed=${c.failed} unreachable=${c.unreachable}`,
      slowest: slowest.length ? `slowest: ${slowest.join(', ')}` : '',
    };
  }
}

const hostFormat = '{host} [{bar}] task {value}/{total} {state} {task}';
const aggregateFormat = 'all hosts [{bar}] tasks {value}/{total} | hosts done {hosts} | {counts} | {slowest}';

function truncate(s: string, n: number): string {
  const one = s.split('\n')[0];
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
