import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import { selectHosts } from '../inventory/index.js';
import type { Inventory, Vars } from '../inventory/model.js';
import type { Play, Playbook, Task } from '../playbook/model.js';
import { selectByTags } from '../playbook/index.js';
import { planHost, type HostPlan, type PlanContext } from '../plan/plan.js';
import { sharedMagic } from '../plan/vars.js';
import { createTemplateContext } from '../template/index.js';
import type { Redactor } from '../secrets/index.js';
import { EventParser, type ScriptEvent } from '../shell/events.js';
import { buildScript, type ScriptTask } from '../shell/script.js';
import { unmetRequirements } from '../facts/requirements.js';
import { writeBackSpecs, type WriteBackResult } from '../facts/writeback.js';
import { ConnectionPool } from './connections.js';
import { mapLimit } from './pool.js';
import type { Reporter, TaskStatus } from './report.js';
import { emptyStats, exitCodeFor, type HostStats } from './stats.js';

export interface RunConfig {
  playbook: Playbook;
  inventory: Inventory;
  check: boolean;
  diff: boolean;
  forks: number;
  limit?: string;
  tags: string[];
  skipTags: string[];
  extraVars: Vars;
  env: Record<string, string>;
  acceptNewHostKeys: boolean;
  reporter: Reporter;
  redactor: Redactor;
  runId: string;
  /** Where .chom/ (generated secrets, backups, run records) lives: the current directory. */
  projectDir: string;
  /** Write detected specs back into the inventory (off with --no-write-facts; never in check mode). */
  writeFacts: boolean;
  /** Where previous inventory versions are kept (default .chom/backups/inventory). */
  backupDir: string;
}

export interface Prepared {
  pool: ConnectionPool;
  plays: Array<{ play: Play; hosts: string[]; plans: Map<string, HostPlan>; unmet: Map<string, string[]> }>;
  stats: Map<string, HostStats>;
  facts: Map<string, Vars>;
  specs: WriteBackResult;
}

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/** Hosts of each play after --limit, in inventory order. */
export function playHosts(cfg: Pick<RunConfig, 'playbook' | 'inventory' | 'limit'>): Map<Play, string[]> {
  const limit = cfg.limit ? new Set(selectHosts(cfg.inventory, cfg.limit)) : undefined;
  const out = new Map<Play, string[]>();
  for (const play of cfg.playbook.plays) {
    out.set(play, selectHosts(cfg.inventory, play.hosts).filter((h) => !limit || limit.has(h)));
  }
  return out;
}

export function selectedTasks(pb: Playbook, tags: string[], skipTags: string[]): Map<Play, Task[]> {
  return new Map(pb.plays.map((p) => [p, selectByTags(p.tasks, tags, skipTags)]));
}

/**
 * Connect, gather facts, then compile every play for every host BEFORE anything runs:
 * a bad variable or template stops the run while no host has been changed.
 */
export async function prepare(cfg: RunConfig): Promise<Prepared> {
  for (const play of cfg.playbook.plays) {
    for (const k of Object.keys(play.extra)) {
      if (k !== 'become_user') throw new InputError(`play "${play.name}": ${k} is not supported by chom-play yet`, play.loc, 'remove it; it would otherwise be silently ignored');
    }
  }
  const hostsByPlay = playHosts(cfg);
  const all = [...new Set([...hostsByPlay.values()].flat())];
  if (all.length === 0) throw new InputError(`no hosts matched: ${cfg.playbook.plays.map((p) => `"${p.hosts}"`).join(', ')}${cfg.limit ? ` with --limit "${cfg.limit}"` : ''}`, undefined, 'check the play\'s hosts: and --limit against the inventory (--list-hosts shows the selection)');
  const stats = new Map<string, HostStats>(all.map((h) => [h, emptyStats()]));
  const pool = new ConnectionPool(cfg.inventory, { forks: cfg.forks, acceptNewHostKeys: cfg.acceptNewHostKeys });
  await pool.open(all);
  const factHosts = [...new Set(cfg.playbook.plays.filter((p) => p.gatherFacts).flatMap((p) => hostsByPlay.get(p) ?? []))];
  const facts = await pool.gatherFacts(factHosts.filter((h) => pool.conns.has(h)));
  const ctx: PlanContext = {
    playbook: cfg.playbook,
    inventory: cfg.inventory,
    extraVars: cfg.extraVars,
    env: cfg.env,
    facts,
    selected: selectedTasks(cfg.playbook, cfg.tags, cfg.skipTags),
    bodyCache: new Map(),
    tmpl: createTemplateContext(cfg.projectDir, cfg.env, cfg.redactor),
  };
  const shared = sharedMagic(cfg.inventory, facts);
  const plays: Prepared['plays'] = [];
  for (const play of cfg.playbook.plays) {
    const hosts = hostsByPlay.get(play) ?? [];
    const plans = new Map<string, HostPlan>();
    const unmet = new Map<string, string[]>();
    for (const h of hosts) {
      if (pool.unreachable.has(h)) continue;
      const u = play.gatherFacts ? unmetRequirements(play, h, facts.get(h)) : [];
      if (u.length > 0) unmet.set(h, u);
      else plans.set(h, planHost(ctx, play, h, hosts, shared));
    }
    plays.push({ play, hosts, plans, unmet });
  }
  const specs = writeBackSpecs(cfg.inventory, facts, { check: cfg.check || !cfg.writeFacts, backupDir: cfg.backupDir });
  return { pool, plays, stats, facts, specs };
}

export function scriptFor(cfg: Pick<RunConfig, 'runId' | 'check' | 'diff'>, plan: HostPlan, marker: string): string {
  return buildScript({ host: plan.host, runId: cfg.runId, marker, check: cfg.check, diff: cfg.diff, tasks: plan.tasks, handlers: plan.handlers });
}

/** Runs a whole playbook and returns the exit code (0, 2 failed, 4 unreachable). */
export async function runPlaybook(cfg: RunConfig): Promise<{ stats: Map<string, HostStats>; exitCode: number }> {
  const started = Date.now();
  const { reporter: rep } = cfg;
  const prep = await prepare(cfg);
  const { pool, stats } = prep;
  rep.runStart({ runId: cfg.runId, playbook: cfg.playbook.file, check: cfg.check, hosts: stats.size });
  reportSpecs(cfg, prep.specs);
  const reportUnreachable = (h: string) => {
    const s = stats.get(h)!;
    if (s.unreachable === 0) {
      s.unreachable = 1;
      rep.hostFailed(h, 'unreachable', cfg.redactor.redact(pool.unreachable.get(h) ?? 'unreachable'));
    }
  };
  const failedHosts = new Set<string>();
  try {
    for (const { play, hosts, plans, unmet } of prep.plays) {
      const live = hosts.filter((h) => !failedHosts.has(h));
      rep.playStart(play.name, live);
      hosts.filter((h) => pool.unreachable.has(h)).forEach(reportUnreachable);
      for (const [h, msgs] of unmet) {
        if (failedHosts.has(h)) continue;
        failedHosts.add(h);
        stats.get(h)!.failed++;
        rep.hostFailed(h, 'failed', `${msgs.join('\n')}\nnone of its tasks ran`);
      }
      await mapLimit(live.filter((h) => plans.has(h) && pool.conns.has(h)), cfg.forks, async (host) => {
        const ok = await runHost(cfg, pool, plans.get(host)!, stats.get(host)!);
        if (!ok) failedHosts.add(host);
        if (pool.unreachable.has(host)) reportUnreachable(host);
      });
    }
  } finally {
    pool.closeAll();
  }
  for (const h of stats.keys()) if (pool.unreachable.has(h)) reportUnreachable(h);
  rep.recap(stats, Date.now() - started);
  return { stats, exitCode: exitCodeFor(stats) };
}

function reportSpecs(cfg: RunConfig, r: WriteBackResult): void {
  for (const m of r.mismatches) cfg.reporter.warn(`specs mismatch: ${m}`);
  if (!cfg.writeFacts) return;
  for (const c of r.changes) {
    const what = `${c.host}: specs cpu=${c.specs.cpu} memory_mb=${c.specs.memory_mb} disk_gb=${c.specs.disk_gb} -> ${c.file}`;
    cfg.reporter.info(cfg.check ? `would write ${what} (check mode: not written)` : `wrote ${what}`);
  }
}

/** Sends one host its script and follows the event stream. Returns false when the host failed. */
async function runHost(cfg: RunConfig, pool: ConnectionPool, plan: HostPlan, s: HostStats): Promise<boolean> {
  const conn = pool.conns.get(plan.host)!;
  const rep = cfg.reporter;
  const marker = 'CHOM' + randomBytes(8).toString('hex');
  const byId = new Map<number, { t: ScriptTask; handler: boolean }>();
  for (const t of plan.tasks) byId.set(t.id, { t, handler: false });
  for (const t of plan.handlers) byId.set(t.id, { t, handler: true });
  let failed = false;
  let ended = false;
  const r = cfg.redactor;
  const confirms: Promise<void>[] = [];
  const parser = new EventParser(marker, (e: ScriptEvent) => {
    if (e.t === 'end') ended = true;
    if (e.t === 'confirm') {
      // The task waits on the host; if we cannot get in anew, its dead-man switch restores access.
      confirms.push(
        pool.confirmAccess(plan.host, e.file, plan.become).then((why) => {
          if (why) rep.warn(`${plan.host}: could not confirm access after task ${e.id}: ${r.redact(why)}`);
        }),
      );
      return;
    }
    if (e.t !== 'task') return;
    const meta = byId.get(e.id);
    const status = e.status as TaskStatus;
    const ignored = status === 'failed' && meta?.t.ignoreErrors === true;
    if (status === 'failed' && !ignored) failed = true;
    if (status === 'ok') s.ok++;
    else if (status === 'changed') {
      s.ok++;
      s.changed++;
    } else if (status === 'skipped') s.skipped++;
    else if (ignored) s.ignored++;
    else s.failed++;
    rep.taskResult({
      host: plan.host,
      taskId: e.id,
      name: r.redact(meta?.t.name ?? `task ${e.id}`),
      loc: meta?.t.loc ?? { file: '?', line: 0, col: 0 },
      status,
      ms: e.ms,
      rc: e.rc,
      msg: e.msg ? r.redact(e.msg) : undefined,
      diff: e.diff ? r.redact(e.diff) : undefined,
      output: e.output ? r.redact(e.output) : undefined,
      ignored,
      handler: meta?.handler,
    });
  });
  rep.hostStart(plan.host, plan.tasks.length);
  const res = await conn.runScript(scriptFor(cfg, plan, marker), { become: plan.become, onStdout: (b) => parser.push(b) });
  parser.end();
  await Promise.all(confirms);
  if (res.code === null) {
    pool.markUnreachable(plan.host, `connection lost during the run (${res.signal ?? 'no exit status'})`);
    return false;
  }
  if (!ended && !failed) {
    s.failed++;
    const why = res.code === 1 && /sudo/.test(res.stderr) ? 'sudo -n failed: the user needs passwordless sudo for become' : `the script stopped with exit code ${res.code}`;
    rep.hostFailed(plan.host, 'failed', r.redact(`${why}\n${res.stderr.trim().split('\n').slice(-20).join('\n')}`));
    return false;
  }
  rep.hostEnd(plan.host, s);
  return !failed;
}
