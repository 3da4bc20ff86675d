import { InputError } from '../errors.js';
import { loadRunRecord, loadRunRecords, runsDir, type RunRecord } from '../run/history.js';

export interface HistoryCliOptions {
  json?: boolean;
  limit?: number;
}

/** `chom-play history [ID]`: the runs recorded in .chom/runs of the current directory. */
export function historyCommand(id: string | undefined, opts: HistoryCliOptions): number {
  const dir = process.cwd();
  const out = (s: string) => void process.stdout.write(s);
  if (id) {
    const rec = loadRunRecord(dir, id) ?? loadRunRecords(dir).find((r) => r.id.endsWith(id));
    if (!rec) throw new InputError(`no run ${id} in ${runsDir(dir)}`, undefined, 'chom-play history lists the recorded runs');
    out(opts.json ? JSON.stringify(rec, null, 2) + '\n' : showRun(rec));
    return 0;
  }
  const runs = loadRunRecords(dir).slice(-(opts.limit ?? 50));
  if (opts.json) {
    out(JSON.stringify(runs.map(summary), null, 2) + '\n');
    return 0;
  }
  if (runs.length === 0) {
    out(`no runs recorded in ${runsDir(dir)}\n`);
    return 0;
  }
  const rows = runs.map((r) => {
    const s = summary(r);
    const counts = Object.entries(s.hosts)
      .filter(([k, n]) => n > 0 || k === 'ok' || k === 'failed')
      .map(([k, n]) => `${n} ${k}`)
      .join(' / ');
    return [
      r.id,
      r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      s.playbook,
      r.check ? `${r.status} (check)` : r.status,
      counts,
      r.user,
    ];
  });
  out(table([['RUN', 'STARTED', 'PLAYBOOK', 'STATUS', 'HOSTS', 'WHO'], ...rows]));
  return 0;
}

function summary(r: RunRecord) {
  const hs = Object.values(r.hosts);
  const n = (st: string) => hs.filter((h) => h.status === st).length;
  const hosts = { ok: n('ok'), failed: n('failed'), unreachable: n('unreachable'), interrupted: n('interrupted'), 'not run': n('not-run') };
  return {
    id: r.id,
    startedAt: r.startedAt,
    playbook: r.playbook.file.replace(`${r.projectDir}/`, ''),
    status: r.status,
    check: r.check,
    exitCode: r.exitCode,
    hosts,
    user: r.user,
  };
}

function showRun(r: RunRecord): string {
  const L: string[] = [];
  L.push(`run ${r.id}: ${r.status}${r.exitCode !== undefined ? ` (exit ${r.exitCode})` : ''}${r.check ? ', check mode' : ''}`);
  if (r.stopReason) L.push(`  stopped: ${r.stopReason}`);
  L.push(
    `  by ${r.user} on ${r.machine}, ${r.startedAt} -> ${r.endedAt ?? '?'}${r.ms !== undefined ? ` (${(r.ms / 1000).toFixed(1)}s)` : ''}`,
  );
  L.push(`  playbook ${r.playbook.file} sha256:${r.playbook.sha256.slice(0, 16)}`);
  L.push(`  inventory ${r.inventory.path} (${r.inventory.files.length} files)`);
  L.push(`  git ${r.git ? `${r.git.commit}${r.git.dirty ? ' (uncommitted changes)' : ''}` : '(not a git repository)'}`);
  L.push(`  command: chom-play ${r.argv.join(' ')}`);
  if (r.resumedFrom) L.push(`  resumed from ${r.resumedFrom}`);
  if (r.startAtTask) L.push(`  started at task "${r.startAtTask}"`);
  for (const [h, hr] of Object.entries(r.hosts)) {
    const s = hr.stats;
    L.push(
      `  ${h}: ${hr.status}  ok=${s.ok} changed=${s.changed} failed=${s.failed} skipped=${s.skipped} (${(hr.ms / 1000).toFixed(1)}s)${hr.class ? ` [${hr.class}]` : ''}`,
    );
    if (hr.message)
      L.push(
        ...hr.message
          .split('\n')
          .slice(0, 5)
          .map((l) => `      ${l}`),
      );
    if (hr.resumeAt) L.push(`      resume at: "${hr.resumeAt.name}" ${hr.resumeAt.loc} (play ${hr.resumeAt.play + 1})`);
    for (const t of hr.tasks) {
      if (t.status === 'ok' || t.status === 'skipped') continue;
      L.push(`      ${t.status.padEnd(7)} ${t.name} (${t.loc}) ${t.ms}ms${t.msg ? ` - ${t.msg.split('\n')[0]}` : ''}`);
    }
  }
  return L.join('\n') + '\n';
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n') + '\n';
}
