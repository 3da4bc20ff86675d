import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import { connectionFor, hostEntry, loadInventory, selectHosts } from '../inventory/index.js';
import { buildRollbackScript, RUN_ID_RE } from '../journal/rollback-script.js';
import { withSessions } from '../run/session.js';
import { mapLimit } from '../run/pool.js';
import { ERROR_ADVICE, EventParser, holderText, type ScriptEvent } from '../shell/events.js';

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

/** How one host's rollback ended. */
export interface HostRollback {
  host: string;
  outcome: 'rolled-back' | 'nothing' | 'failed' | 'locked' | 'unreachable';
  runId?: string;
  undone: number;
  kept: number;
  skipped: number;
  failed: number;
}

/**
 * `chom-play rollback [--run ID] -i INV [--limit P] [--check] [--rollback-packages]`: on each
 * host, undo a run's journal newest first (default: the host's latest run), one line per step.
 * Exit 0 all fine, 2 a step failed or a host was locked, 4 a host was unreachable.
 */
export async function rollbackCommand(opts: RollbackCliOptions): Promise<number> {
  if (opts.run !== undefined && !RUN_ID_RE.test(opts.run)) {
    throw new InputError(`invalid run id "${opts.run}"`, undefined, 'give an id as shown by the run (e.g. 20260101T120000Z-a1b2c3) or chom-play history');
  }
  const inv = loadInventory(resolve(process.cwd(), opts.inventory));
  const hosts = selectHosts(inv, opts.limit ?? 'all');
  if (hosts.length === 0) throw new InputError(`no hosts match "${opts.limit ?? 'all'}" in ${opts.inventory}`);
  const json = opts.output === 'json';
  const out = (o: Record<string, unknown>, text: string) => process.stdout.write(json ? JSON.stringify(o) + '\n' : text + '\n');
  const rollbackId = `rollback-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
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
        out({ event: 'unreachable', host, msg: pool.unreachable.get(host) }, `${host}: UNREACHABLE: ${pool.unreachable.get(host) ?? ''}`);
        return;
      }
      const marker = 'CHOMRB' + randomBytes(8).toString('hex');
      const script = buildRollbackScript({ host, rollbackId, marker, runId: opts.run, check: Boolean(opts.check), rollbackPackages: Boolean(opts.rollbackPackages), ...who });
      const parser = new EventParser(marker, (e) => onEvent(e, r, opts, out));
      // The same validated connection value the planner uses (ansible_become / ansible_sudo, any Ansible spelling).
      const become = opts.become === true || connectionFor(inv, host, hostEntry(inv, host)?.vars ?? {}).become;
      const res = await conn.runScript(script, { become, onStdout: (b) => parser.push(b) });
      parser.end();
      if (res.code === null) {
        r.outcome = 'unreachable';
        out({ event: 'unreachable', host, msg: 'connection lost during the rollback' }, `${host}: UNREACHABLE: connection lost during the rollback (${res.signal ?? 'no exit status'}); run rollback again: steps already undone are skipped`);
      } else if (res.code !== 0 && r.outcome !== 'locked' && r.outcome !== 'failed') {
        r.outcome = 'failed';
        out({ event: 'host_failed', host, code: res.code, stderr: res.stderr.trim() }, `${host}: FAILED: the rollback script stopped with exit code ${res.code}\n${indent(res.stderr.trim().split('\n').slice(-10).join('\n'))}`);
      }
    });
  });
  results.sort((a, b) => hosts.indexOf(a.host) - hosts.indexOf(b.host));
  const verb = opts.check ? 'would undo' : 'undone';
  out({ event: 'recap', hosts: results }, `\nROLLBACK RECAP${opts.check ? ' (check mode: nothing was changed)' : ''}`);
  if (!json) for (const r of results) out({}, `${r.host.padEnd(20)} ${r.outcome.padEnd(12)} ${r.runId ? `run=${r.runId} ` : ''}${verb}=${r.undone} kept=${r.kept} skipped=${r.skipped} failed=${r.failed}`);
  if (results.some((r) => r.outcome === 'unreachable')) return 4;
  return results.some((r) => r.outcome === 'failed' || r.outcome === 'locked') ? 2 : 0;
}

function onEvent(e: ScriptEvent, r: HostRollback, opts: RollbackCliOptions, out: (o: Record<string, unknown>, text: string) => void): void {
  const host = r.host;
  switch (e.t) {
    case 'rollback':
      r.runId = e.runId;
      out({ event: 'rollback', host, run_id: e.runId, steps: e.steps, check: e.check }, `${host}: rolling back run ${e.runId} (${e.steps} steps, newest first)${e.check ? ' [check mode]' : ''}`);
      break;
    case 'undo': {
      const tag = { undone: opts.check ? 'check' : 'undone', kept: 'KEPT', skipped: 'skip', failed: 'FAILED' }[e.status];
      out({ event: 'undo', host, task: e.task, op: e.op, path: e.path, status: e.status, msg: e.msg }, `  ${host}: [${tag}] ${e.msg}`);
      break;
    }
    case 'rollback_end':
      Object.assign(r, { undone: e.undone, kept: e.kept, skipped: e.skipped, failed: e.failed });
      r.outcome = e.failed > 0 ? 'failed' : 'rolled-back';
      break;
    case 'locked':
      r.outcome = 'locked';
      out({ event: 'locked', host, holder: e.holder }, `${host}: LOCKED: ${holderText(e.holder)} is running on this host; nothing was rolled back: wait for it to finish`);
      break;
    case 'abort':
      r.outcome = 'failed';
      out({ event: 'host_failed', host, class: e.class, msg: e.msg }, `${host}: FAILED: ${e.msg}${ERROR_ADVICE[e.class] ? `\n  ${ERROR_ADVICE[e.class]}` : ''}`);
      break;
    case 'warn':
      out({ event: 'warn', host, msg: e.msg }, `${host}: ${e.msg}`);
      break;
    default:
      break;
  }
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
