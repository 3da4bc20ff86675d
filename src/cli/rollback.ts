import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { connectionFor, hostEntry, loadInventory, selectHosts } from '../inventory/index.js';
import { buildRollbackScript, RUN_ID_RE } from '../journal/rollback-script.js';
import { withSessions } from '../run/session.js';
import { mapLimit } from '../run/pool.js';
import { EventParser } from '../shell/events.js';
import { initialState, reduceEvent, type EventContext, type HostEventState } from '../run/host-events.js';
import { reportOutput } from '../run/outputs.js';
import { JsonReporter, PlainReporter, type HostRollback, type Reporter } from '../run/report.js';
import { emptyStats } from '../run/stats.js';

export interface RollbackCliOptions {
  inventory: string;
  limit?: string;
  run?: string;
  check?: boolean;
  rollbackPackages?: boolean;
  become?: boolean;
  forks: number;
  acceptNewHostKeys?: boolean;
  output?: 'text' | 'json';
}

/**
 * `chom-play rollback [--run ID] -i INV [--limit P] [--check] [--rollback-packages]`: on each
 * host, undo a run's journal newest first (default: the host's latest run), one line per step.
 * Exit 0 all fine, 2 a step failed or a host was locked, 4 a host was unreachable.
 */
export async function rollbackCommand(opts: RollbackCliOptions): Promise<number> {
  if (opts.run !== undefined && !RUN_ID_RE.test(opts.run)) {
    throw new InputError(
      `invalid run id "${opts.run}"`,
      undefined,
      'give an id as shown by the run (e.g. 20260101T120000Z-a1b2c3) or chom-play history',
    );
  }
  const inv = loadInventory(resolve(process.cwd(), opts.inventory));
  const hosts = selectHosts(inv, opts.limit ?? 'all');
  if (hosts.length === 0) throw new InputError(`no hosts match "${opts.limit ?? 'all'}" in ${opts.inventory}`);
  const out = (text: string) => process.stdout.write(text);
  const rep: Reporter = opts.output === 'json' ? new JsonReporter(out) : new PlainReporter(out, { diff: false, verbose: false });
  const rollbackId = `rollback-${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const who = { user: safeUser(), machine: hostname() };
  const results: HostRollback[] = [];
  // The run layer's connection owner: every connection closed on every way out; each host
  // starts as soon as its own connection is up (a dead host delays nobody).
  await withSessions(inv, { forks: opts.forks, acceptNewHostKeys: Boolean(opts.acceptNewHostKeys) }, async (pool) => {
    await mapLimit(hosts, opts.forks, async (host) => {
      await pool.openOne(host);
      const r: HostRollback = { host, outcome: 'nothing', undone: 0, kept: 0, skipped: 0, failed: 0 };
      results.push(r);
      const conn = pool.conns.get(host);
      if (!conn) {
        r.outcome = 'unreachable';
        rep.hostFailed(host, 'unreachable', pool.unreachable.get(host) ?? 'unreachable');
        return;
      }
      const marker = 'CHOMRB' + randomBytes(8).toString('hex');
      const script = buildRollbackScript({
        host,
        rollbackId,
        marker,
        runId: opts.run,
        check: Boolean(opts.check),
        rollbackPackages: Boolean(opts.rollbackPackages),
        ...who,
      });
      // The run's reducer folds the host's events; the run's reporter prints them.
      const cx: EventContext = { host, playIndex: 0, tasks: new Map(), redact: (x) => x, secretBearing: () => false };
      let st = initialState(emptyStats());
      const parser = new EventParser(marker, (e) => {
        const [next, outputs] = reduceEvent(cx, st, e);
        st = next;
        for (const o of outputs) reportOutput(rep, host, o, 'rollback');
      });
      // The same validated connection value the planner uses (ansible_become / ansible_sudo, any Ansible spelling).
      const become = opts.become === true || connectionFor(inv, host, hostEntry(inv, host)?.vars ?? {}).become;
      const res = await conn.runScript(script, { become, onStdout: (b) => parser.push(b) });
      parser.end();
      Object.assign(r, outcomeOf(st, res, host, rep));
    });
  });
  results.sort((a, b) => hosts.indexOf(a.host) - hosts.indexOf(b.host));
  rep.rollbackRecap?.(results, Boolean(opts.check));
  if (results.some((r) => r.outcome === 'unreachable')) return 4;
  return results.some((r) => r.outcome === 'failed' || r.outcome === 'locked') ? 2 : 0;
}

/** One host's rollback outcome from the reducer's state and the script's exit; reports failures. */
function outcomeOf(
  st: HostEventState,
  res: { code: number | null; signal?: string; stderr: string },
  host: string,
  rep: Reporter,
): Partial<HostRollback> {
  const counts = st.rollback
    ? {
        runId: st.rollback.runId,
        undone: st.rollback.undone,
        kept: st.rollback.kept,
        skipped: st.rollback.skipped,
        failed: st.rollback.failed,
      }
    : {};
  if (res.code === null) {
    rep.hostFailed(
      host,
      'unreachable',
      `connection lost during the rollback (${res.signal ?? 'no exit status'}); run rollback again: steps already undone are skipped`,
    );
    return { ...counts, outcome: 'unreachable' };
  }
  if (st.refused) {
    rep.hostFailed(
      host,
      'failed',
      st.refused.class === 'lock-held' ? st.refused.message.replace('nothing was changed', 'nothing was rolled back') : st.refused.message,
    );
    return { ...counts, outcome: st.refused.class === 'lock-held' ? 'locked' : 'failed' };
  }
  if (st.rollback?.ended && st.rollback.failed > 0) return { ...counts, outcome: 'failed' };
  if (res.code !== 0) {
    rep.hostFailed(
      host,
      'failed',
      `the rollback script stopped with exit code ${res.code}\n${indent(res.stderr.trim().split('\n').slice(-10).join('\n'))}`,
    );
    return { ...counts, outcome: 'failed' };
  }
  return { ...counts, outcome: st.rollback?.ended ? 'rolled-back' : 'nothing' };
}

function indent(s: string): string {
  return s.replace(/^/gm, '    ');
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
