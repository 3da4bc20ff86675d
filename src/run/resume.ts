import { formatLoc, InputError, suggest } from '../errors.js';
import type { HostPlan } from '../plan/plan.js';
import type { Play } from '../playbook/model.js';
import { quote } from '../shell/quote.js';
import type { ScriptTask } from '../shell/script.js';
import type { RunRecord } from './history.js';
import type { HostJournal } from './resume-journal.js';

/** The part of Prepared this file reads and trims: per play, each host's compiled plan. */
export interface PlannedPlay {
  play: Play;
  plans: Map<string, HostPlan>;
}

/** Hosts with nothing left to do, and why (reported as skipped by the runner). */
export type Skipped = Map<string, string>;

/** Id of the synthetic first task that re-notifies handlers after a resume (plan ids start at 1). */
export const RESUME_NOTIFY_ID = 0;

/**
 * `--resume`: each host starts at the first task it did not complete in `prev` (by the run
 * record, or later when the host's own journal shows it went on after the controller lost it). Hosts that
 * completed everything do nothing; hosts not in `prev` run everything. Handlers notified by
 * tasks that changed something before the interruption are notified again (their changes
 * would otherwise never be followed by the restart they asked for).
 */
export function applyResume(
  plays: PlannedPlay[],
  prev: RunRecord,
  journals: ReadonlyMap<string, HostJournal> = new Map(),
  notes?: Map<string, string>,
): Skipped {
  const skipped: Skipped = new Map();
  const hosts = new Set(plays.flatMap((p) => [...p.plans.keys()]));
  for (const host of hosts) {
    const rec = prev.hosts[host];
    if (!rec) continue;
    const ref = rec.resumeAt;
    if (!ref) {
      if (rec.status === 'ok') {
        skipped.set(host, `completed every task in run ${prev.id}`);
        for (const p of plays) p.plans.delete(host);
      }
      continue;
    }
    if (ref.play >= plays.length)
      throw new InputError(
        `--resume: run ${prev.id} stopped ${host} in play ${ref.play + 1}, but the playbook now has ${plays.length} plays`,
        undefined,
        'use --start-at-task NAME, or run the whole playbook (it converges)',
      );
    plays.slice(0, ref.play).forEach((p) => p.plans.delete(host));
    const { plans, play } = plays[ref.play];
    const plan = plans.get(host);
    if (!plan) continue;
    let minId = ref.name === '(handlers)' ? ref.id : findTask(plan.tasks, ref, prev.id, host);
    // The host's own journal: it may have gone on after the controller lost it (a silent
    // partition) and stopped at a later task boundary; the tasks before that are done, and
    // those that changed something owe their handlers a run.
    const j = journals.get(host);
    const changedOnHost = new Set<number>();
    if (j?.stoppedBefore !== undefined && j.stoppedBefore > minId) {
      for (const id of j.changed) if (id >= minId && id < j.stoppedBefore) changedOnHost.add(id);
      const at = plan.tasks.find((t) => t.id >= (j.stoppedBefore ?? 0));
      notes?.set(
        host,
        `the host's journal of run ${prev.id} shows it went on after the connection was lost and stopped ${at ? `before "${at.name}"` : 'before its handlers'}${j.stopWhy ? ` (${j.stopWhy})` : ''}: resuming there`,
      );
      minId = j.stoppedBefore;
    }
    const changedBefore = new Set([
      ...rec.tasks.filter((t) => t.play === ref.play && t.status === 'changed' && !t.handler && t.id < minId).map((t) => t.id),
      ...changedOnHost,
    ]);
    const ranHandlers = new Set(rec.tasks.filter((t) => t.play === ref.play && t.handler && t.status !== 'failed').map((t) => t.id));
    const notify = [...new Set(plan.tasks.filter((t) => changedBefore.has(t.id)).flatMap((t) => t.notify))].filter(
      (h) => !ranHandlers.has(h),
    );
    const kept = plan.tasks.filter((t) => t.id >= minId);
    if (notify.length > 0) kept.unshift(notifyTask(play, prev.id, notify));
    plans.set(host, { ...plan, tasks: kept });
  }
  return skipped;
}

function findTask(tasks: ScriptTask[], ref: { id: number; name: string; loc: string }, runId: string, host: string): number {
  const same = tasks.find((t) => t.id === ref.id && t.name === ref.name) ?? tasks.find((t) => formatLoc(t.loc) === ref.loc);
  if (same) return same.id;
  throw new InputError(
    `--resume: ${host} stopped at task "${ref.name}" (${ref.loc}) in run ${runId}, and that task is not in the playbook any more`,
    undefined,
    'use --start-at-task NAME to say where to start, or run the whole playbook (it converges)',
  );
}

function notifyTask(play: Play, runId: string, handlers: number[]): ScriptTask {
  return {
    id: RESUME_NOTIFY_ID,
    name: `resume: notify handlers of changes made in run ${runId}`,
    loc: play.loc,
    body: `chom_changed ${quote(`handlers notified in run ${runId} before it stopped`)}`,
    notify: handlers,
    ignoreErrors: false,
    noLog: false,
  };
}

/** Ansible's `--start-at-task`: exact name, or a pattern with `*`; the first match in the playbook. */
export function applyStartAtTask(plays: PlannedPlay[], name: string): void {
  const re = new RegExp(
    '^' +
      name
        .split('*')
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  const at = plays.findIndex((p) => p.play.tasks.some((t) => re.test(t.name)));
  if (at < 0) {
    const names = plays.flatMap((p) => p.play.tasks.map((t) => t.name));
    const s = suggest(name, names);
    throw new InputError(
      `--start-at-task: no task named "${name}" in the playbook`,
      undefined,
      s ? `did you mean "${s}"? (--list-tasks lists them)` : '--list-tasks lists the task names',
    );
  }
  const { play, plans } = plays[at];
  const index = new Map(play.tasks.map((t, i) => [formatLoc(t.loc), i]));
  const first = play.tasks.findIndex((t) => re.test(t.name));
  for (const p of plays.slice(0, at)) p.plans.clear();
  for (const [host, plan] of plans) {
    plans.set(host, { ...plan, tasks: plan.tasks.filter((t) => (index.get(formatLoc(t.loc)) ?? Infinity) >= first) });
  }
}
