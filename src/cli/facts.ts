import { join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeBackSpecs } from '../facts/writeback.js';
import { loadInventory, selectHosts } from '../inventory/index.js';
import type { Vars } from '../inventory/model.js';
import { withSessions } from '../run/session.js';

export interface FactsCliOptions {
  inventory: string;
  limit: string;
  json?: boolean;
  write: boolean;
  check?: boolean;
  forks: number;
  acceptNewHostKeys?: boolean;
}

/** `chom-play facts`: gather, write specs back, print a table (or JSON). Exit 4 if a host was unreachable. */
export async function factsCommand(opts: FactsCliOptions): Promise<number> {
  const cwd = process.cwd();
  const invPath = resolve(cwd, opts.inventory);
  const inv = loadInventory(invPath);
  for (const w of inv.warnings ?? []) process.stderr.write(`WARNING: ${w}\n`);
  const hosts = selectHosts(inv, opts.limit);
  if (hosts.length === 0) throw new InputError(`no hosts match "${opts.limit}" in ${opts.inventory}`);
  const { pool, facts } = await withSessions(
    inv,
    { forks: opts.forks, acceptNewHostKeys: Boolean(opts.acceptNewHostKeys) },
    async (pool) => {
      await pool.open(hosts);
      return { pool, facts: await pool.gatherFacts(hosts.filter((h) => pool.conns.has(h))) };
    },
  );
  const wb = writeBackSpecs(inv, facts, {
    check: Boolean(opts.check) || !opts.write,
    backupDir: join(cwd, '.chom', 'backups', 'inventory'),
  });
  const detectedAt = new Map(wb.changes.map((c) => [c.host, c.specs.detected_at]));
  if (opts.json) {
    const out: Record<string, unknown> = {};
    for (const h of hosts) out[h] = facts.has(h) ? facts.get(h) : { unreachable: pool.unreachable.get(h) };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    const rows = [['host', 'cpu', 'memory', 'disk', 'free', 'os', 'detected_at']];
    for (const h of hosts) {
      const f = facts.get(h);
      if (!f) {
        rows.push([h, '-', '-', '-', '-', `UNREACHABLE: ${pool.unreachable.get(h) ?? ''}`, '-']);
        continue;
      }
      const prev = (inv.hosts.get(h)?.vars.specs as Vars | undefined)?.detected_at;
      rows.push([
        h,
        String(f.cpu),
        `${f.memory_mb} MB`,
        `${f.disk_gb} GB`,
        `${f.disk_free_gb} GB`,
        `${f.os_id} ${f.os_version}`,
        String(detectedAt.get(h) ?? prev ?? '-'),
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) process.stdout.write(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ') + '\n');
  }
  for (const m of wb.mismatches) process.stderr.write(`WARNING: specs mismatch: ${m}\n`);
  const verb = opts.check || !opts.write ? 'would write' : 'wrote';
  for (const c of wb.changes) process.stderr.write(`${verb} specs of ${c.host} -> ${c.file}\n`);
  return pool.unreachable.size > 0 ? 4 : 0;
}
