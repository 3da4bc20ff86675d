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
import { gatheredLater, withFactHint } from '../hints/facts.js';
import type { Interrupt } from './interrupt.js';
import type { RunRecord } from './history.js';
import type { Reporter } from './report.js';
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

/** Per play: its hosts, each host's compiled plan, and hosts whose facts miss a role requirement. */
export interface PlannedPlayHosts {
  play: Play;
  hosts: string[];
  plans: Map<string, HostPlan>;
  unmet: Map<string, string[]>;
}

export function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

/** Hosts of each play after --limit, in inventory order. */
export function playHosts(cfg: Pick<RunConfig, 'playbook' | 'inventory' | 'limit'>): Map<Play, string[]> {
  const limit = cfg.limit ? new Set(selectHosts(cfg.inventory, cfg.limit)) : undefined;
  const out = new Map<Play, string[]>();
  for (const play of cfg.playbook.plays) {
    out.set(
      play,
      selectHosts(cfg.inventory, play.hosts).filter((h) => !limit || limit.has(h)),
    );
  }
  return out;
}

export function selectedTasks(pb: Playbook, tags: string[], skipTags: string[]): Map<Play, Task[]> {
  return new Map(pb.plays.map((p) => [p, selectByTags(p.tasks, tags, skipTags)]));
}

/** Every host of the run (after --limit); an input error when none matched. */
export function runHosts(cfg: Pick<RunConfig, 'playbook' | 'inventory' | 'limit'>): { hostsByPlay: Map<Play, string[]>; all: string[] } {
  const hostsByPlay = playHosts(cfg);
  const all = [...new Set([...hostsByPlay.values()].flat())];
  if (all.length === 0)
    throw new InputError(
      `no hosts matched: ${cfg.playbook.plays.map((p) => `"${p.hosts}"`).join(', ')}${cfg.limit ? ` with --limit "${cfg.limit}"` : ''}`,
      undefined,
      "check the play's hosts: and --limit against the inventory (--list-hosts shows the selection)",
    );
  return { hostsByPlay, all };
}

export type PlanInputs = Pick<RunConfig, 'playbook' | 'inventory' | 'extraVars' | 'env' | 'tags' | 'skipTags' | 'projectDir' | 'redactor'>;

/** One planning context for a run; `facts` is read at planning time, so it may fill in as hosts get ready. */
export function planContext(cfg: PlanInputs, facts: Map<string, Vars>): PlanContext {
  return {
    playbook: cfg.playbook,
    inventory: cfg.inventory,
    extraVars: cfg.extraVars,
    env: cfg.env,
    facts,
    selected: selectedTasks(cfg.playbook, cfg.tags, cfg.skipTags),
    bodyCache: new Map(),
    tmpl: createTemplateContext(cfg.projectDir, cfg.env, cfg.redactor),
  };
}

/**
 * Pure planning of one host for every play it is in: no connection, no I/O beyond reading
 * templates and files. Facts are whatever `ctx.facts` holds for the host now.
 */
export function planHostPlays(
  ctx: PlanContext,
  hostsByPlay: Map<Play, string[]>,
  host: string,
): Array<{ plan?: HostPlan; unmet?: string[] }> {
  const shared = sharedMagic(ctx.inventory, ctx.facts);
  return ctx.playbook.plays.map((play) => {
    const hosts = hostsByPlay.get(play) ?? [];
    if (!hosts.includes(host)) return {};
    const u = play.gatherFacts ? unmetRequirements(play, host, ctx.facts.get(host)) : [];
    if (u.length > 0) return { unmet: u };
    try {
      return { plan: planHost(ctx, play, host, hosts, shared) };
    } catch (err) {
      throw withFactHint(err, play.gatherFacts || ctx.facts.has(host));
    }
  });
}

/**
 * An error that only says a fact is missing (expected while planning without facts): an
 * undefined `facts.*`/`ansible_*` variable, or (Jinja2) an attribute of `ansible_facts` that
 * is absent or called (`ansible_facts.hostname.endswith('-1')`, `ansible_hostname.upper()`).
 */
export function isMissingFact(err: unknown): boolean {
  return (
    err instanceof InputError &&
    /(?:variable )?"(?:facts|ansible_)[^"]*"(?: \(\w+\))? (?:is not defined|has no attribute)/.test(err.message)
  );
}

/** Plans compiled by preflight, by play and host (a host missing: planning needs its facts). */
export type Preplanned = Map<Play, Map<string, HostPlan>>;

/**
 * Every check that needs no host (module arguments, templates found and parsed, variables,
 * keywords): plans every host of every play without facts. In plays that gather facts, a
 * missing fact is not an error here (the host will supply it). Throws the first InputError.
 * Returns the plans: planning is pure, so a run in which no host gathers facts runs them as
 * they are instead of compiling every host a second time.
 */
export function preflight(cfg: PlanInputs & Pick<RunConfig, 'limit'>): Preplanned {
  const { hostsByPlay } = runHosts(cfg);
  const ctx = planContext(cfg, new Map());
  const shared = sharedMagic(cfg.inventory, ctx.facts);
  const out: Preplanned = new Map();
  for (const play of cfg.playbook.plays) {
    const hosts = hostsByPlay.get(play) ?? [];
    const plans = new Map<string, HostPlan>();
    out.set(play, plans);
    for (const h of hosts) {
      try {
        plans.set(h, planHost(ctx, play, h, hosts, shared));
      } catch (err) {
        // A fact chom-play gathers is supplied by the host later; any other ansible_ name never is.
        const gathers = playNeedsFacts(play, cfg.extraVars);
        if (gathers && isMissingFact(err) && gatheredLater(err)) continue;
        throw withFactHint(err, gathers);
      }
    }
  }
  return out;
}
