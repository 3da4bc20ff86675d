import { join } from 'node:path';
import { formatLoc } from '../errors.js';
import { relative } from 'node:path';
import { InputError } from '../errors.js';
import { playHosts, newRunId, preflight, selectedTasks } from '../run/runner.js';
import { runPlaybook } from '../run/orchestrate.js';
import { JsonReporter, PlainReporter, type Reporter } from '../run/report.js';
import { Interrupt } from '../run/interrupt.js';
import { resumableRun, type RunRecord } from '../run/history.js';
import { redactArgv } from '../run/audit.js';
import { formatSpans, formatTimings, phaseDone } from '../run/timings.js';
import { loadAll, type Loaded } from './load.js';

export interface RunCliOptions {
  inventory: string;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check?: boolean;
  diff?: boolean;
  forks: number;
  envFile?: string;
  acceptNewHostKeys?: boolean;
  syntaxCheck?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  listTags?: boolean;
  output: 'text' | 'json';
  verbose?: boolean;
  writeFacts: boolean;
  /** --resume (true) or --resume RUN_ID. */
  resume?: boolean | string;
  startAtTask?: string;
  taskTimeout?: number;
}

export async function runCommand(playbookArg: string, opts: RunCliOptions): Promise<number> {
  const loaded = loadAll(playbookArg, opts);
  phaseDone('read playbook, inventory, .env');
  const out = (s: string) => void process.stdout.write(loaded.redactor.redact(s));
  if (opts.syntaxCheck) {
    // Every check that needs no host: keywords, module arguments, templates, variables (facts excepted).
    preflight({ ...loaded, tags: opts.tags, skipTags: opts.skipTags, limit: opts.limit });
    out(`playbook: ${loaded.playbook.file}: syntax OK (${loaded.playbook.plays.length} plays, ${loaded.playbook.files.length} files)\n`);
    // Files an include_tasks reads only under a condition (another OS's tasks): said, not fatal.
    for (const t of loaded.playbook.plays.flatMap((p) => p.tasks))
      if (t.deferred) out(`note: ${String(t.deferred).split('\n')[0]} (fails only a host whose ${t.name} condition holds)\n`);
    return 0;
  }
  if (opts.listHosts || opts.listTasks || opts.listTags) {
    list(loaded, opts, out);
    return 0;
  }
  const reporter = await pickReporter(opts, out, loaded.redactor);
  for (const w of loaded.inventory.warnings ?? []) reporter.warn(w);
  let resume: RunRecord | undefined;
  if (opts.resume) {
    if (opts.startAtTask)
      throw new InputError(
        '--resume and --start-at-task cannot be combined',
        undefined,
        'use one: --resume continues the last run, --start-at-task starts every host at a task',
      );
    const r = resumableRun(loaded.projectDir, loaded.playbook.file, typeof opts.resume === 'string' ? opts.resume : undefined);
    if (typeof r === 'string') throw new InputError(`--resume: ${r}`, undefined, 'run the playbook without --resume');
    resume = r;
    reporter.info(`resuming run ${r.id} (${r.status}${r.stopReason ? `: ${r.stopReason}` : ''})`);
  }
  const interrupt = new Interrupt();
  const uninstall = interrupt.installSignalHandlers();
  const runId = newRunId();
  try {
    const { exitCode, record } = await runPlaybook({
      playbook: loaded.playbook,
      inventory: loaded.inventory,
      check: Boolean(opts.check),
      diff: Boolean(opts.diff),
      forks: opts.forks,
      limit: opts.limit,
      tags: opts.tags,
      skipTags: opts.skipTags,
      extraVars: loaded.extraVars,
      env: loaded.env,
      acceptNewHostKeys: Boolean(opts.acceptNewHostKeys),
      reporter,
      redactor: loaded.redactor,
      runId,
      projectDir: loaded.projectDir,
      writeFacts: opts.writeFacts,
      backupDir: join(loaded.projectDir, '.chom', 'backups', 'inventory'),
      interrupt,
      resume,
      startAtTask: opts.startAtTask,
      taskTimeout: opts.taskTimeout,
      argv: redactArgv(process.argv.slice(2), loaded.redactor),
    });
    if (record.status !== 'ok' && !record.check) {
      const pb = relative(loaded.projectDir, loaded.playbook.file) || loaded.playbook.file;
      const inv = opts.inventory;
      const unfinished = Object.values(record.hosts).filter((h) => h.resumeAt).length;
      reporter.info(
        `run ${record.id} ${record.status}${record.stopReason ? ` (${record.stopReason})` : ''}; recorded in .chom/runs/${record.id}.json`,
      );
      if (unfinished > 0) reporter.info(`to continue where each host stopped: chom-play ${pb} -i ${inv} --resume`);
      // A run refused by host locks, or stopped by input errors before any task ran, has nothing to undo.
      const hs = Object.values(record.hosts);
      const changed = hs.some((h) => h.tasks.some((t) => t.status === 'changed'));
      const ran = hs.some((h) => h.tasks.length > 0);
      const onlyLocked = hs.every((h) => h.status === 'ok' || h.status === 'not-run' || h.class === 'lock-held');
      if (changed || (ran && !onlyLocked))
        reporter.info(`to undo this run's changes:       chom-play rollback --run ${record.id} -i ${inv}`);
    }
    if (opts.verbose) process.stderr.write(formatTimings() + formatSpans());
    return exitCode;
  } finally {
    uninstall();
  }
}

function list(loaded: Loaded, opts: RunCliOptions, out: (s: string) => void): void {
  const hosts = playHosts({ playbook: loaded.playbook, inventory: loaded.inventory, limit: opts.limit });
  const tasks = selectedTasks(loaded.playbook, opts.tags, opts.skipTags);
  out(`playbook: ${loaded.playbook.file}\n`);
  for (const play of loaded.playbook.plays) {
    out(`\n  play: ${play.name} (hosts: ${play.hosts})${play.tags.length ? ` TAGS: [${play.tags.join(', ')}]` : ''}\n`);
    if (opts.listHosts) {
      const hs = hosts.get(play) ?? [];
      out(`    hosts (${hs.length}):\n`);
      for (const h of hs) out(`      ${h}\n`);
    }
    if (opts.listTasks) {
      out('    tasks:\n');
      for (const t of tasks.get(play) ?? [])
        out(`      ${t.name}\t${formatLoc(t.loc)}${t.tags.length ? `\tTAGS: [${t.tags.join(', ')}]` : ''}\n`);
    }
    if (opts.listTags) {
      const all = new Set<string>();
      for (const t of play.tasks) t.tags.forEach((x) => all.add(x));
      out(`    TASK TAGS: [${[...all].sort().join(', ')}]\n`);
    }
  }
}

/** JSON when asked; progress bars on a terminal; plain lines in pipes and CI (no escape codes). */
async function pickReporter(opts: RunCliOptions, out: (s: string) => void, redactor: { redact(s: string): string }): Promise<Reporter> {
  const ro = { diff: Boolean(opts.diff), verbose: Boolean(opts.verbose) };
  if (opts.output === 'json') return new JsonReporter(out);
  if (process.stdout.isTTY && process.env.TERM !== 'dumb' && !process.env.CI) {
    const { ProgressReporter } = await import('../run/progress.js');
    return new ProgressReporter(process.stdout, out, { ...ro, redact: (s) => redactor.redact(s) });
  }
  return new PlainReporter(out, ro);
}
