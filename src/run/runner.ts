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
import { unmetRequirements } from '../facts/requirements.js';
import { playNeedsFacts } from '../facts/plays.js';
import { writeBackSpecs, type WriteBackResult } from '../facts/writeback.js';
import { ConnectionPool } from './connections.js';
import type { Interrupt } from './interrupt.js';
import type { RunRecord } from './history.js';
import { maxFailPercentage, serialBatches } from './serial.js';
import type { Reporter } from './report.js';
import { type HostStats, emptyStats } from './stats.js';
export { scriptFor } from './host-run.js';

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
  /** Ctrl-C / SIGTERM (see interrupt.ts); a run without one cannot be interrupted. */
  interrupt?: Interrupt;
  /** --resume: the run to continue from (each host at its first unfinished task). */
  resume?: RunRecord;
  /** --start-at-task NAME (every host). */
  startAtTask?: string;
  /** The command line for the run record (already redacted). */
  argv?: string[];
  /** --task-timeout: seconds before any task without its own timeout: is killed (0 = none). */
  taskTimeout?: number;
  /** Run records kept in .chom/runs (default 50); 0 writes none. */
  keepRuns?: number;
}

/** Play keywords beyond the model's own fields that chom-play implements (see playbook/load.ts). */
const PLAY_KEYS = new Set(['become_user', 'serial', 'max_fail_percentage', 'any_errors_fatal', 'min_disk_free_mb', 'rollback_on_failure']);

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
    serialBatches(['x'], play.extra.serial, play.loc);
    maxFailPercentage(play.extra.max_fail_percentage, play.loc);
    for (const k of Object.keys(play.extra)) {
      if (!PLAY_KEYS.has(k)) throw new InputError(`play "${play.name}": ${k} is not supported by chom-play yet`, play.loc, 'remove it; it would otherwise be silently ignored');
    }
  }
  const hostsByPlay = playHosts(cfg);
  const all = [...new Set([...hostsByPlay.values()].flat())];
  if (all.length === 0) throw new InputError(`no hosts matched: ${cfg.playbook.plays.map((p) => `"${p.hosts}"`).join(', ')}${cfg.limit ? ` with --limit "${cfg.limit}"` : ''}`, undefined, 'check the play\'s hosts: and --limit against the inventory (--list-hosts shows the selection)');
  const stats = new Map<string, HostStats>(all.map((h) => [h, emptyStats()]));
  const pool = new ConnectionPool(cfg.inventory, {
    forks: cfg.forks,
    acceptNewHostKeys: cfg.acceptNewHostKeys,
    onRetry: (h, m) => cfg.reporter.warn(`${h}: ${cfg.redactor.redact(m)}`),
  });
  await pool.open(all);
  const factHosts = [...new Set(cfg.playbook.plays.filter((p) => playNeedsFacts(p, cfg.extraVars)).flatMap((p) => hostsByPlay.get(p) ?? []))];
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

export { runPlaybook } from './orchestrate.js';
