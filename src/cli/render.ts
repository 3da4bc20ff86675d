import { randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import { newRunId, planContext, planHostPlays, runHosts, scriptFor } from '../run/runner.js';
import { withSessions } from '../run/session.js';
import { loadAll } from './load.js';

export interface RenderCliOptions {
  inventory: string;
  host: string;
  tags: string[];
  skipTags: string[];
  extraVars: string[];
  check?: boolean;
  diff?: boolean;
  envFile?: string;
  facts: boolean;
  acceptNewHostKeys?: boolean;
  showSecrets?: boolean;
}

/**
 * Prints the script(s) that would run on one host, one per play, in order. Piping a script
 * into `bash -s` on that host gives the same result as the run (events go to stdout).
 */
export async function renderCommand(playbookArg: string, opts: RenderCliOptions): Promise<number> {
  // Secrets travel base64-encoded inside file contents: hide those forms too, unless asked.
  const loaded = loadAll(playbookArg, opts, { base64: !opts.showSecrets });
  if (!loaded.inventory.hosts.has(opts.host)) throw new InputError(`host "${opts.host}" is not in inventory ${opts.inventory}`);
  const playbook = opts.facts
    ? loaded.playbook
    : { ...loaded.playbook, plays: loaded.playbook.plays.map((p) => ({ ...p, gatherFacts: false })) };
  const runId = newRunId();
  const cfg = { ...loaded, playbook, tags: opts.tags, skipTags: opts.skipTags, limit: opts.host };
  const { hostsByPlay } = runHosts(cfg);
  const facts = new Map<string, Vars>();
  if (playbook.plays.some((p) => p.gatherFacts && hostsByPlay.get(p)?.includes(opts.host))) {
    // Only here does render connect: one host, one round trip, closed before anything is printed.
    await withSessions(loaded.inventory, { forks: 1, acceptNewHostKeys: Boolean(opts.acceptNewHostKeys) }, async (pool) => {
      await pool.openOne(opts.host);
      const f = await pool.gatherOne(opts.host);
      const why = pool.unreachable.get(opts.host);
      if (why || !f)
        throw new InputError(
          `cannot gather facts from ${opts.host}: ${why ?? 'no facts'}`,
          undefined,
          'pass --no-facts to render without facts',
        );
      facts.set(opts.host, f);
    });
  }
  const planned = planHostPlays(planContext(cfg, facts), hostsByPlay, opts.host);
  const prep = {
    plays: playbook.plays.map((play, i) => ({ play, plans: new Map(planned[i].plan ? [[opts.host, planned[i].plan]] : []) })),
  };
  for (const { play, plans } of prep.plays) {
    const plan = plans.get(opts.host);
    if (!plan) continue;
    process.stdout.write(`# ---- play: ${play.name} ----\n`);
    const script = scriptFor(
      { runId, check: Boolean(opts.check), diff: Boolean(opts.diff) },
      plan,
      'CHOM' + randomBytes(8).toString('hex'),
    );
    process.stdout.write(opts.showSecrets ? script : loaded.redactor.redact(script));
  }
  if (!opts.showSecrets && loaded.redactor.size > 0) {
    process.stderr.write(
      'note: secret values are shown as ******** (also inside base64 contents); pass --show-secrets for a script you can run by hand\n',
    );
  }
  return 0;
}
