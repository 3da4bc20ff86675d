import type { HostPlan } from '../plan/plan.js';
import { runHostPlay, type HostRunContext } from './host-run.js';
import { Interrupt } from './interrupt.js';
import { mapLimit } from './pool.js';
import { applyResume, applyStartAtTask } from './resume.js';
import { finishRecord, startRecord, type HostState } from './record.js';
import { writeRunRecord, pruneRuns, DEFAULT_KEEP, type RunRecord } from './history.js';
import { batchExceeds, serialBatches } from './serial.js';
import { exitCodeFor, type HostStats } from './stats.js';
import { prepare, type RunConfig } from './runner.js';

/** Ansible's exit code for "user interrupted execution". */
export const EXIT_INTERRUPTED = 99;

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
 */
export async function runPlaybook(cfg: RunConfig): Promise<RunOutcome> {
  const started = Date.now();
  const { reporter: rep } = cfg;
  const interrupt = cfg.interrupt ?? new Interrupt();
  const prep = await prepare(cfg);
  const { pool, stats } = prep;
  const skipped = cfg.resume ? applyResume(prep.plays, cfg.resume) : new Map<string, string>();
  if (cfg.startAtTask) applyStartAtTask(prep.plays, cfg.startAtTask);
  const hosts = new Map<string, HostState>([...stats.keys()].map((h) => [h, { tasks: [], plays: new Map(), started: 0, ms: 0 }]));
  const record = startRecord(cfg, prep, hosts);
  const keep = cfg.keepRuns ?? DEFAULT_KEEP;
  const save = () => {
    if (keep > 0) writeRunRecord(cfg.projectDir, record);
  };
  save();
  rep.runStart({ runId: cfg.runId, playbook: cfg.playbook.file, check: cfg.check, hosts: stats.size });
  for (const [h, why] of skipped) rep.info(`${h}: nothing to resume (${why})`);

  const ctx: HostRunContext = { runId: cfg.runId, check: cfg.check, diff: cfg.diff, taskTimeout: cfg.taskTimeout, reporter: rep, redactor: cfg.redactor, pool, interrupt, running: new Map() };
  let stopReason: string | undefined;
  const stopRunning = () => {
    for (const [h, st] of ctx.running) {
      if (st.stopAsked) continue;
      st.stopAsked = true;
      void pool.requestStop(h, cfg.runId, st.become).then((why) => why && rep.warn(`${h}: could not ask the script to stop: ${why}`));
    }
  };
  const off = interrupt.onChange((level) => {
    stopReason ??= `${interrupt.reason} on the controller`;
    if (level === 'stop') {
      rep.warn(`${interrupt.reason}: starting nothing new; each host finishes its current task, then stops (interrupt again to kill the running tasks)`);
      stopRunning();
    } else {
      rep.warn(`${interrupt.reason} again: killing the running tasks`);
      for (const [h, st] of ctx.running) {
        st.killAsked = true;
        void pool.killRunning(h, st.become).then((why) => why && rep.warn(`${h}: could not kill the running task: ${why}`));
      }
    }
  });
  const reportUnreachable = (h: string) => {
    const s = stats.get(h)!;
    if (s.unreachable === 0) {
      s.unreachable = 1;
      rep.hostFailed(h, 'unreachable', cfg.redactor.redact(pool.unreachable.get(h) ?? 'unreachable'));
    }
  };
  const failedHosts = new Set<string>();
  try {
    for (const [pi, { play, hosts: playHosts, plans, unmet }] of prep.plays.entries()) {
      if (stopReason) break;
      const live = playHosts.filter((h) => !failedHosts.has(h));
      rep.playStart(play.name, live);
      playHosts.filter((h) => pool.unreachable.has(h)).forEach(reportUnreachable);
      for (const [h, msgs] of unmet) {
        if (failedHosts.has(h)) continue;
        failedHosts.add(h);
        stats.get(h)!.failed++;
        hosts.get(h)!.plays.set(pi, 'failed');
        rep.hostFailed(h, 'failed', `${msgs.join('\n')}\nnone of its tasks ran`);
      }
      const runnable = live.filter((h) => plans.has(h) && pool.conns.has(h));
      const batches = serialBatches(runnable, play.serial, play.keyLocs.serial ?? play.loc);
      const maxFail = play.maxFailPercentage;
      const fatal = play.anyErrorsFatal;
      for (const [bi, batch] of batches.entries()) {
        if (stopReason) break;
        if (batches.length > 1) rep.batchStart?.(play.name, bi, batches.length, batch);
        const failedHere = new Set<string>();
        await mapLimit(batch, cfg.forks, async (host) => {
          if (stopReason) return;
          const st = hosts.get(host)!;
          st.started ||= Date.now();
          const plan = plans.get(host) as HostPlan;
          const res = await runHostPlay(ctx, plan, pi, stats.get(host)!);
          st.tasks.push(...res.tasks);
          st.plays.set(pi, res.outcome);
          st.ms = Date.now() - st.started;
          if (res.message && res.outcome !== 'ok') st.message = res.message;
          if (res.class) st.class = res.class;
          if (res.outcome !== 'ok') {
            failedHosts.add(host);
            if (res.outcome !== 'interrupted') failedHere.add(host);
          }
          if (res.outcome === 'unreachable') reportUnreachable(host);
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
  for (const h of stats.keys()) if (pool.unreachable.has(h)) reportUnreachable(h);
  rep.recap(stats, Date.now() - started);
  const interrupted = interrupt.requested;
  const exitCode = interrupted ? EXIT_INTERRUPTED : Math.max(exitCodeFor(stats), stopReason ? 2 : 0);
  finishRecord(record, { prep, hosts, pool, stats, skipped, exitCode, interrupted, stopReason, redactor: cfg.redactor, started });
  save();
  if (keep > 0) pruneRuns(cfg.projectDir, keep);
  return { stats, exitCode, record };
}
