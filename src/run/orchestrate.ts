import type { Vars } from '../inventory/model.js';
import type { HostPlan } from '../plan/plan.js';
import { writeBackSpecs } from '../facts/writeback.js';
import { playNeedsFacts } from '../facts/plays.js';
import { InputError } from '../errors.js';
import type { ConnectionPool } from './connections.js';
import { runHostPlay, type HostRunContext } from './host-run.js';
import { EXIT_INTERRUPTED, Interrupt } from './interrupt.js';
import { mapLimit } from './pool.js';
import { applyResume, applyStartAtTask, type PlannedPlay } from './resume.js';
import type { HostJournal } from './resume-journal.js';
import { finishRecord, startRecord, type HostState } from './record.js';
import { writeRunRecord, pruneRuns, DEFAULT_KEEP, type RunRecord } from './history.js';
import { batchExceeds, serialBatches } from './serial.js';
import { exitCodeFor, emptyStats, type HostStats } from './stats.js';
import { planContext, planHostPlays, preflight, runHosts, type PlannedPlayHosts, type Preplanned, type RunConfig } from './runner.js';
import { withSessions } from './session.js';
import { lostHostAdvice } from './lost.js';
import { phaseDone, timed, timedSync } from './timings.js';

export { EXIT_INTERRUPTED };

export interface RunOutcome {
  stats: Map<string, HostStats>;
  exitCode: number;
  record: RunRecord;
}

/**
 * Runs a whole playbook: plays in order; within a play, batches of hosts (serial) one after
 * another, hosts of a batch in parallel (bounded by forks). Stops starting hosts when
 * interrupted, when a batch exceeds max_fail_percentage, or when a host fails under
 * any_errors_fatal. Writes the run record at the start and at the end.
 *
 * Every check that needs no host runs first (preflight: bad input exits 1 before any
 * connection). Then each host goes through its own pipeline (connect -> facts -> plan -> run),
 * so a slow or dead host delays nobody else.
 */
export async function runPlaybook(cfg: RunConfig): Promise<RunOutcome> {
  const preplanned = preflight(cfg);
  phaseDone('check plays, compile every host (preflight)');
  if (cfg.startAtTask)
    applyStartAtTask(
      cfg.playbook.plays.map((play) => ({ play, plans: new Map() })),
      cfg.startAtTask,
    );
  return withSessions(
    cfg.inventory,
    { forks: cfg.forks, acceptNewHostKeys: cfg.acceptNewHostKeys, onRetry: (h, m) => cfg.reporter.warn(`${h}: ${cfg.redactor.redact(m)}`) },
    (pool) => runWith(cfg, pool, preplanned),
  );
}

/** One host's connection, facts and plans, ready to run (or why not). */
interface HostReady {
  planError?: string;
}

async function runWith(cfg: RunConfig, pool: ConnectionPool, preplanned: Preplanned): Promise<RunOutcome> {
  const started = Date.now();
  const { reporter: rep } = cfg;
  const interrupt = cfg.interrupt ?? new Interrupt();
  const { hostsByPlay, all } = runHosts(cfg);
  const stats = new Map<string, HostStats>(all.map((h) => [h, emptyStats()]));
  const plays: PlannedPlayHosts[] = cfg.playbook.plays.map((play) => ({
    play,
    hosts: hostsByPlay.get(play) ?? [],
    plans: new Map(),
    unmet: new Map(),
  }));
  const facts = new Map<string, Vars>();
  const planCtx = planContext(cfg, facts);
  const factHosts = new Set(plays.filter((p) => playNeedsFacts(p.play, cfg.extraVars)).flatMap((p) => p.hosts));
  // When no host gathers facts, the facts map stays empty, so a host's plan is exactly what
  // preflight compiled: run it instead of compiling every host twice.
  const reusable = factHosts.size === 0 && plays.every((p) => !p.play.gatherFacts) ? preplanned : undefined;
  const preplannedFor = (host: string): Array<{ plan?: HostPlan; unmet?: string[] }> | undefined => {
    if (!reusable) return undefined;
    const out: Array<{ plan?: HostPlan }> = [];
    for (const p of plays) {
      const plan = reusable.get(p.play)?.get(host);
      if (!plan && p.hosts.includes(host)) return undefined;
      out.push({ plan });
    }
    return out;
  };
  const skipped = new Map<string, string>();
  const hosts = new Map<string, HostState>(all.map((h) => [h, { tasks: [], plays: new Map(), started: 0, ms: 0 }]));
  const record = startRecord(cfg, stats, hosts);
  const keep = cfg.keepRuns ?? DEFAULT_KEEP;
  const save = () => {
    if (keep > 0) writeRunRecord(cfg.projectDir, record);
  };
  save();
  phaseDone('start the run record');
  rep.runStart({ runId: cfg.runId, playbook: cfg.playbook.file, check: cfg.check, hosts: stats.size });

  const reportUnreachable = (h: string) => {
    const s = stats.get(h)!;
    if (s.unreachable === 0) {
      s.unreachable = 1;
      rep.hostFailed(h, 'unreachable', cfg.redactor.redact(pool.unreachable.get(h) ?? 'unreachable'));
    }
  };
  const readyOf = new Map<string, Promise<HostReady>>();
  const ready = (host: string): Promise<HostReady> => {
    let p = readyOf.get(host);
    if (!p) {
      p = prepareHost(host);
      readyOf.set(host, p);
    }
    return p;
  };
  const prepareHost = async (host: string): Promise<HostReady> => {
    await timed('connect (ssh)', pool.openOne(host));
    if (pool.conns.has(host) && factHosts.has(host)) {
      const f = await timed('gather facts', pool.gatherOne(host));
      if (f) facts.set(host, f);
    }
    if (!pool.conns.has(host)) {
      reportUnreachable(host);
      return {};
    }
    try {
      const planned = preplannedFor(host) ?? timedSync('compile plans', () => planHostPlays(planCtx, hostsByPlay, host));
      planned.forEach((r, pi) => {
        if (r.plan) plays[pi].plans.set(host, r.plan);
        if (r.unmet) plays[pi].unmet.set(host, r.unmet);
      });
      const journal = await resumeJournal(cfg, pool, plays, host);
      const note = trimForHost(plays, host, cfg, skipped, journal);
      if (note) rep.info(`${host}: ${cfg.redactor.redact(note)}`);
      const why = skipped.get(host);
      if (why) rep.info(`${host}: nothing to resume (${why})`);
      return {};
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      for (const p of plays) p.plans.delete(host);
      return { planError: cfg.redactor.redact(err.toString()) };
    }
  };
  // Every host starts connecting now (bounded by forks); each play waits only for its own hosts.
  void mapLimit(all, cfg.forks, (h) => ready(h).catch(() => ({})));

  const ctx: HostRunContext = {
    runId: cfg.runId,
    check: cfg.check,
    diff: cfg.diff,
    taskTimeout: cfg.taskTimeout,
    reporter: rep,
    redactor: cfg.redactor,
    pool,
    interrupt,
    running: new Map(),
  };
  let stopReason: string | undefined;
  const stopRunning = () => {
    for (const [h, st] of ctx.running) {
      if (st.stopAsked) continue;
      st.stopAsked = true;
      st.stopping = pool
        .requestStop(h, cfg.runId, st.become)
        .then((why) => why && rep.warn(`${h}: could not ask the script to stop: ${why}`));
    }
  };
  // Hosts still connecting are not waited for once the run is interrupted.
  let wake: () => void = () => {};
  const interrupted = new Promise<HostReady>((resolve) => (wake = () => resolve({})));
  const off = interrupt.onChange((level) => {
    wake();
    stopReason ??= `${interrupt.reason} on the controller`;
    if (level === 'stop') {
      rep.warn(
        `${interrupt.reason}: starting nothing new; each host finishes its current task, then stops (interrupt again to kill the running tasks)`,
      );
      stopRunning();
    } else {
      rep.warn(`${interrupt.reason} again: killing the running tasks`);
      for (const [h, st] of ctx.running) {
        st.killAsked = true;
        st.abort.abort();
        st.killing = pool.killRunning(h, st.become).then((why) => why && rep.warn(`${h}: could not kill the running task: ${why}`));
      }
    }
  });
  const failedHosts = new Set<string>();
  let planFailures = 0;
  try {
    for (const [pi, { play, hosts: playHosts, plans, unmet }] of plays.entries()) {
      if (stopReason) break;
      const live = playHosts.filter((h) => !failedHosts.has(h));
      rep.playStart(play.name, live);
      const batches = serialBatches(live, play.serial, play.keyLocs.serial ?? play.loc);
      const maxFail = play.maxFailPercentage;
      const fatal = play.anyErrorsFatal;
      for (const [bi, batch] of batches.entries()) {
        if (stopReason) break;
        if (batches.length > 1) rep.batchStart?.(play.name, bi, batches.length, batch);
        const failedHere = new Set<string>();
        await mapLimit(batch, cfg.forks, async (host) => {
          if (stopReason) return;
          const r = await Promise.race([ready(host), interrupted]);
          if (stopReason || failedHosts.has(host)) return;
          const st = hosts.get(host)!;
          if (!pool.conns.has(host)) {
            failedHosts.add(host);
            reportUnreachable(host);
            return;
          }
          if (r.planError) {
            failedHosts.add(host);
            failedHere.add(host);
            planFailures++;
            stats.get(host)!.failed++;
            st.plays.set(pi, 'failed');
            st.message = r.planError;
            rep.hostFailed(host, 'failed', `${r.planError}\nnone of its tasks ran`);
            return;
          }
          const msgs = unmet.get(host);
          if (msgs) {
            failedHosts.add(host);
            stats.get(host)!.failed++;
            st.plays.set(pi, 'failed');
            rep.hostFailed(host, 'failed', `${msgs.join('\n')}\nnone of its tasks ran`);
            return;
          }
          const plan = plans.get(host);
          if (!plan) return;
          st.started ||= Date.now();
          const res = await timed('build and run the script', runHostPlay(ctx, plan, pi, stats.get(host)!));
          st.tasks.push(...res.tasks);
          st.plays.set(pi, res.outcome);
          st.ms = Date.now() - st.started;
          if (res.message && res.outcome !== 'ok') st.message = res.message;
          if (res.class) st.class = res.class;
          if (res.outcome !== 'ok') {
            failedHosts.add(host);
            if (res.outcome !== 'interrupted') failedHere.add(host);
          }
          if (res.outcome === 'unreachable') {
            reportUnreachable(host);
            rep.info(lostHostAdvice(host, res.tasks.filter((t) => !t.handler).length, plan.tasks.length));
          }
          if (fatal && failedHere.size > 0 && !stopReason) {
            stopReason = `any_errors_fatal: ${host} failed in play "${play.name}"`;
            rep.warn(`${stopReason}; the other hosts stop at their next task boundary`);
            stopRunning();
          }
        });
        if (!stopReason && batchExceeds(failedHere.size, batch.length, maxFail)) {
          stopReason = `max_fail_percentage ${maxFail}% exceeded in play "${play.name}": ${failedHere.size} of ${batch.length} hosts of batch ${bi + 1} failed`;
          rep.warn(`${stopReason}; later batches and plays do not start`);
        }
      }
    }
  } finally {
    off();
    pool.closeAll();
  }
  phaseDone('hosts: connect, facts, plan, run (per host, overlapping)');
  for (const h of stats.keys()) if (pool.unreachable.has(h)) reportUnreachable(h);
  rep.recap(stats, Date.now() - started);
  const wasInterrupted = interrupt.requested;
  const nothingRan = [...hosts.values()].every((h) => h.tasks.length === 0);
  // An input error found only with a host's facts: exit 1 ("nothing was run") when that is true.
  const inputExit = planFailures > 0 && nothingRan ? 1 : 0;
  const exitCode = wasInterrupted ? EXIT_INTERRUPTED : inputExit || Math.max(exitCodeFor(stats), stopReason ? 2 : 0);
  writeBackSpecs(cfg.inventory, facts, { check: cfg.check || !cfg.writeFacts, backupDir: cfg.backupDir });
  finishRecord(record, {
    plays,
    facts,
    hosts,
    pool,
    stats,
    skipped,
    exitCode,
    interrupted: wasInterrupted,
    stopReason,
    redactor: cfg.redactor,
    started,
  });
  save();
  if (keep > 0) pruneRuns(cfg.projectDir, keep);
  phaseDone('recap, run record');
  return { stats, exitCode, record };
}

/**
 * --resume of a host the earlier run lost mid-play: its journal of that run, read over the
 * connection just opened (one short exec, only for such hosts). Undefined when not needed.
 */
async function resumeJournal(
  cfg: RunConfig,
  pool: ConnectionPool,
  plays: PlannedPlayHosts[],
  host: string,
): Promise<HostJournal | undefined> {
  const ref = cfg.resume?.hosts[host]?.resumeAt;
  if (!cfg.resume || !ref) return undefined;
  const plan = plays[ref.play]?.plans.get(host);
  if (!plan) return undefined;
  return pool.readJournal(host, cfg.resume.id, plan.become);
}

/** --resume and --start-at-task, applied to one host's plans as soon as they exist; returns a note for the user. */
function trimForHost(
  plays: PlannedPlayHosts[],
  host: string,
  cfg: RunConfig,
  skipped: Map<string, string>,
  journal?: HostJournal,
): string | undefined {
  if (!cfg.resume && !cfg.startAtTask) return undefined;
  const notes = new Map<string, string>();
  const view: PlannedPlay[] = plays.map((p) => {
    const plan = p.plans.get(host);
    return { play: p.play, plans: new Map(plan ? [[host, plan]] : []) };
  });
  if (cfg.resume)
    for (const [h, why] of applyResume(view, cfg.resume, journal ? new Map([[host, journal]]) : new Map(), notes)) skipped.set(h, why);
  if (cfg.startAtTask) applyStartAtTask(view, cfg.startAtTask);
  view.forEach((v, pi) => {
    const plan = v.plans.get(host);
    if (plan) plays[pi].plans.set(host, plan);
    else plays[pi].plans.delete(host);
  });
  return notes.get(host);
}
