import { randomBytes } from 'node:crypto';
import { HostError } from '../errors.js';
import { connectionFor, hostEntry } from '../inventory/index.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { factsScript, parseFacts } from '../facts/script.js';
import { connect, type Connection } from '../transport/index.js';
import { partialPrefix } from '../transport/types.js';
import { mapLimit } from './pool.js';
import { journalScript, parseJournal, type HostJournal } from './resume-journal.js';
import { quote } from '../shell/quote.js';
import { classifyConnError, DEFAULT_RETRY, withRetry, type ConnClass, type RetryPolicy } from './conn-errors.js';
import type { ConnectionSpec } from '../inventory/model.js';

export interface PoolOptions {
  forks: number;
  acceptNewHostKeys: boolean;
  retry?: RetryPolicy;
  /** Told about each connection retry (a warning line for the operator). */
  onRetry?: (host: string, message: string) => void;
  /** Tests replace the transport. */
  connect?: (spec: ConnectionSpec, opts: { acceptNewHostKeys: boolean }) => Promise<Connection>;
}

/** Where a host-side script looks for the controller's request to stop at the next task boundary. */
export function stopFile(runId: string): string {
  return `/run/chom-play/stop-${runId}`;
}

/** The controller's heartbeat for a run: touched every HEARTBEAT_MS while the host's script runs. */
export function heartbeatFile(runId: string): string {
  return `/run/chom-play/hb-${runId}`;
}

/** Well under the host's CHOM_HEARTBEAT_TIMEOUT (30 s by default): a few lost beats are harmless. */
export const HEARTBEAT_MS = 5000;

/**
 * Signals the script running on this connection. This runs in another session of the SAME SSH
 * connection, so its sshd session process is our ancestor: every other session child of that
 * process is this connection's running script (bash, or sudo which relays signals to it).
 * Only that process is signalled, never its group: the group also holds the script's short
 * command substitutions, which a signal would cut short. Second Ctrl-C: INT (the script kills
 * its task's group, removes its temporary files and releases the lock: chom__on_term), then
 * SIGKILL to the script's whole process group if it is still there after 10 s.
 */
function killScript(): string {
  return `set -u
stat_of() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=\${s##*) }; printf '%s' "$s"; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null; }
p=$$ child=$$
while [ "$p" -gt 1 ]; do
  case $(comm_of "$p") in sshd*) break ;; esac
  child=$p; set -- $(stat_of "$p"); p=\${2:-1}
done
[ "$p" -gt 1 ] || { echo 'no sshd ancestor found' >&2; exit 1; }
pids="" groups=""
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}; [ "$pid" = "$child" ] && continue
  set -- $(stat_of "$pid") || continue
  [ "\${2:-}" = "$p" ] && pids="$pids $pid" && groups="$groups \${3:-}"
done
[ -n "$pids" ] || exit 0
kill -INT $pids 2>/dev/null || true
for i in $(seq 100); do
  alive=0; for q in $pids; do kill -0 "$q" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && exit 0; sleep 0.1
done
for g in $groups; do kill -KILL -- "-$g" 2>/dev/null || true; done
`;
}

/** One connection per host, opened in parallel (bounded by forks) and kept for the whole run. */
export class ConnectionPool {
  readonly conns = new Map<string, Connection>();
  readonly unreachable = new Map<string, string>();
  /** Class of each unreachable host's problem (for the run record and the what-to-do line). */
  readonly unreachableClass = new Map<string, ConnClass>();
  private readonly opening = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly inventory: Inventory,
    private readonly opts: PoolOptions,
  ) {}

  /** Transient failures (refused, reset, timeout) are retried with backoff; never auth or host keys. */
  async open(hosts: string[]): Promise<void> {
    await mapLimit(hosts, this.opts.forks, (host) => this.openOne(host));
  }

  /**
   * Opens one host's connection (once; later calls share the attempt). A connection that
   * completes after closeAll() is closed at once, so nothing outlives the run.
   */
  openOne(host: string): Promise<void> {
    let p = this.opening.get(host);
    if (p) return p;
    p = this.dialOne(host);
    this.opening.set(host, p);
    return p;
  }

  private async dialOne(host: string): Promise<void> {
    if (this.conns.has(host) || this.unreachable.has(host)) return;
    const dial = this.opts.connect ?? connect;
    const entry = hostEntry(this.inventory, host);
    try {
      const spec = connectionFor(this.inventory, host, entry?.vars ?? {});
      const conn = await withRetry(
        () => {
          if (this.closed) throw new Error('the run ended before this host connected');
          return dial(spec, { acceptNewHostKeys: this.opts.acceptNewHostKeys });
        },
        this.opts.retry ?? DEFAULT_RETRY,
        (err, p, ms, n) => {
          if (!this.closed) this.opts.onRetry?.(host, `${stripHost(host, err)} (${p.class}); try ${n} in ${(ms / 1000).toFixed(1)}s`);
        },
      );
      if (this.closed) {
        conn.close();
        this.markUnreachable(host, 'the run ended before this host connected');
        return;
      }
      this.conns.set(host, conn);
    } catch (err) {
      this.markUnreachable(host, stripHost(host, err as Error));
    }
  }

  /** Asks a running script to stop before its next task: a second session on the same connection. */
  async requestStop(host: string, runId: string, become: boolean): Promise<string | undefined> {
    return this.aside(host, `mkdir -p /run/chom-play && : > ${quote(stopFile(runId))}\n`, become);
  }

  async clearStop(host: string, runId: string, become: boolean): Promise<string | undefined> {
    return this.aside(host, `rm -f -- ${quote(stopFile(runId))}\n`, become);
  }

  /**
   * After an interrupted run on a host: its stop file and this process's partial uploads go,
   * so nothing of the run stays under /run/chom-play or the staging directory.
   */
  async cleanupInterrupted(host: string, runId: string, become: boolean, uploads: string[]): Promise<string | undefined> {
    const parts = uploads.map((r) => `${quote(partialPrefix(r))}*`).join(' ');
    const rm = `rm -f -- ${quote(stopFile(runId))} ${quote(heartbeatFile(runId))} ${parts}`;
    // Twice: a stop request or an aborted SFTP write still in flight on other channels of this
    // connection may land just after the first removal (seen in about 1 of 5 runs of the e2e test).
    return this.aside(host, `${rm}; sleep 0.5; ${rm}\n`, become);
  }

  /**
   * One heartbeat: a cheap exec on the existing connection. When the network drops silently
   * the touches stop arriving and the host's script stops at its next task boundary.
   */
  async heartbeat(host: string, runId: string, become: boolean): Promise<string | undefined> {
    return this.aside(host, `mkdir -p /run/chom-play && touch -- ${quote(heartbeatFile(runId))}\n`, become);
  }

  /**
   * The host's journal of an earlier run (--resume): what it completed, including after the
   * controller lost it. Undefined when it could not be read (the caller keeps the run record's view).
   */
  async readJournal(host: string, runId: string, become: boolean): Promise<HostJournal | undefined> {
    const conn = this.conns.get(host);
    if (!conn) return undefined;
    const chunks: Buffer[] = [];
    try {
      const res = await conn.runScript(journalScript(runId), { become, onStdout: (b) => chunks.push(b) });
      return res.code === 0 ? parseJournal(Buffer.concat(chunks).toString('utf8'), runId) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Kills the task a host is running now (second Ctrl-C). */
  async killRunning(host: string, become: boolean): Promise<string | undefined> {
    return this.aside(host, killScript(), become);
  }

  /** A short side script on a host's open connection; returns the reason when it did not work. */
  private async aside(host: string, script: string, become: boolean): Promise<string | undefined> {
    const conn = this.conns.get(host);
    if (!conn) return 'no open connection';
    try {
      const res = await conn.runScript(script, { become, onStdout: () => {} });
      return res.code === 0 ? undefined : res.stderr.trim() || `exit ${res.code}`;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** One round trip per host: hardware and OS facts (see src/facts/script.ts). */
  async gatherFacts(hosts: string[]): Promise<Map<string, Vars>> {
    const facts = new Map<string, Vars>();
    await mapLimit(hosts, this.opts.forks, async (host) => {
      const f = await this.gatherOne(host);
      if (f) facts.set(host, f);
    });
    return facts;
  }

  /** Facts of one host over its open connection; undefined (and the host unreachable) when that failed. */
  async gatherOne(host: string): Promise<Vars | undefined> {
    const conn = this.conns.get(host);
    if (!conn) return undefined;
    const marker = 'CHOMFACT' + randomBytes(6).toString('hex');
    const chunks: Buffer[] = [];
    try {
      const res = await conn.runScript(factsScript(marker), { become: false, onStdout: (b) => chunks.push(b) });
      if (res.code === null) throw new Error(`connection lost while gathering facts (${res.signal ?? 'no status'})`);
      return parseFacts(marker, Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      this.markUnreachable(host, (err as Error).message);
      return undefined;
    }
  }

  /**
   * Proves the operator can still log in (after a firewall change): a NEW connection, which
   * creates `file` on the host; the waiting task sees it and disarms its dead-man switch.
   * Returns the reason when it could not.
   */
  async confirmAccess(host: string, file: string, become: boolean): Promise<string | undefined> {
    const spec = connectionFor(this.inventory, host, hostEntry(this.inventory, host)?.vars ?? {});
    try {
      const conn = await connect({ ...spec, connectTimeoutMs: Math.min(spec.connectTimeoutMs, 10_000) }, { acceptNewHostKeys: false });
      try {
        const res = await conn.runScript(`set -e; mkdir -p /run/chom-play/confirm; : > ${quote(file)}\n`, { become, onStdout: () => {} });
        return res.code === 0 ? undefined : `confirming over a new connection failed: ${res.stderr.trim() || `exit ${res.code}`}`;
      } finally {
        conn.close();
      }
    } catch (err) {
      return `a new SSH connection failed: ${(err as Error).message}`;
    }
  }

  markUnreachable(host: string, why: string): void {
    this.unreachable.set(host, why);
    this.unreachableClass.set(host, classifyConnError(why).class);
    this.conns.get(host)?.close();
    this.conns.delete(host);
  }

  /** Drops one host's connection (used when it is not needed any more). */
  close(host: string): void {
    this.conns.get(host)?.close();
    this.conns.delete(host);
  }

  /** Closes every connection, and any that is still being opened as soon as it opens. */
  closeAll(): void {
    this.closed = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

function stripHost(host: string, err: Error): string {
  return err instanceof HostError ? err.message.replace(`${host}: `, '') : String(err.message ?? err);
}
