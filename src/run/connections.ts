import { randomBytes } from 'node:crypto';
import { HostError } from '../errors.js';
import { connectionFor, hostEntry } from '../inventory/index.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { factsScript, parseFacts } from '../facts/script.js';
import { connect, type Connection } from '../transport/index.js';
import { mapLimit } from './pool.js';
import { quote } from '../shell/quote.js';

/** One connection per host, opened in parallel (bounded by forks) and kept for the whole run. */
export class ConnectionPool {
  readonly conns = new Map<string, Connection>();
  readonly unreachable = new Map<string, string>();

  constructor(
    private readonly inventory: Inventory,
    private readonly opts: { forks: number; acceptNewHostKeys: boolean },
  ) {}

  async open(hosts: string[]): Promise<void> {
    const todo = hosts.filter((h) => !this.conns.has(h) && !this.unreachable.has(h));
    await mapLimit(todo, this.opts.forks, async (host) => {
      const entry = hostEntry(this.inventory, host);
      try {
        const spec = connectionFor(this.inventory, host, entry?.vars ?? {});
        this.conns.set(host, await connect(spec, { acceptNewHostKeys: this.opts.acceptNewHostKeys }));
      } catch (err) {
        this.unreachable.set(host, err instanceof HostError ? err.message.replace(`${host}: `, '') : String((err as Error).message ?? err));
      }
    });
  }

  /** One round trip per host: hardware and OS facts (see src/facts/script.ts). */
  async gatherFacts(hosts: string[]): Promise<Map<string, Vars>> {
    const facts = new Map<string, Vars>();
    await mapLimit(hosts, this.opts.forks, async (host) => {
      const conn = this.conns.get(host);
      if (!conn) return;
      const marker = 'CHOMFACT' + randomBytes(6).toString('hex');
      const chunks: Buffer[] = [];
      try {
        const res = await conn.runScript(factsScript(marker), { become: false, onStdout: (b) => chunks.push(b) });
        if (res.code === null) throw new Error(`connection lost while gathering facts (${res.signal ?? 'no status'})`);
        facts.set(host, parseFacts(marker, Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        this.markUnreachable(host, (err as Error).message);
      }
    });
    return facts;
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
    this.conns.get(host)?.close();
    this.conns.delete(host);
  }

  closeAll(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
