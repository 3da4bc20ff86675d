/** Medians, ratios and the markdown table of the bench. */
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export type Tool = 'chom' | 'chomFacts' | 'floor' | 'ansible' | 'ansibleFacts';
export type Phase = 'first' | 'again';

export interface SizeResult {
  hosts: number;
  /** Wall times in ms per tool and phase, one per repetition. */
  ms: Record<Tool, Record<Phase, number[]>>;
  rssKb: number[];
  identical: boolean;
}

export function emptyResult(hosts: number): SizeResult {
  const t = (): Record<Phase, number[]> => ({ first: [], again: [] });
  return { hosts, ms: { chom: t(), chomFacts: t(), floor: t(), ansible: t(), ansibleFacts: t() }, rssKb: [], identical: true };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const sec = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const ratio = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 'n/a' : `${(a / b).toFixed(1)}x`);
const ratio2 = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 'n/a' : `${(a / b).toFixed(2)}x`);

export function machine(): string {
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    /* not Linux */
  }
  return `${cpus().length} CPU (${cpus()[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${kernel}, Node ${process.version}`;
}

export function table(results: SizeResult[]): string {
  const rows: string[] = [
    '| hosts | run | chom-play | floor (ssh bash -s) | Ansible facts off | Ansible facts on | chom-play facts on | Ansible off / chom-play | Ansible on / chom-play | chom-play / floor | reps (chom/ansible) |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    for (const phase of ['first', 'again'] as const) {
      const m = (t: Tool) => median(r.ms[t][phase]);
      rows.push(
        `| ${r.hosts} | ${phase === 'first' ? 'first (fresh hosts)' : 'no change'} | ${sec(m('chom'))} | ${sec(m('floor'))} | ${sec(m('ansible'))} | ${sec(m('ansibleFacts'))} | ${sec(m('chomFacts'))} | ${ratio(m('ansible'), m('chom'))} | ${ratio(m('ansibleFacts'), m('chom'))} | ${ratio2(m('chom'), m('floor'))} | ${r.ms.chom[phase].length}/${r.ms.ansible[phase].length} |`,
      );
    }
  }
  const rss = results.map((r) => `${r.hosts} hosts: ${(Math.max(...r.rssKb) / 1024).toFixed(0)} MB`).join(', ');
  return `${rows.join('\n')}\n\nchom-play peak RSS (max over runs): ${rss}\n`;
}

/** The targets, evaluated on the medians. */
export function targets(results: SizeResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const c = median(r.ms.chom.again);
    const f = median(r.ms.floor.again);
    const a = median(r.ms.ansible.again);
    const limit = r.hosts === 1 ? 1.5 : 1.2;
    out.push(`${c / f <= limit ? 'MET' : 'MISSED'}: ${r.hosts} host(s), no-change run within ${limit}x of the floor (${(c / f).toFixed(2)}x)`);
    if (r.hosts > 1 && !Number.isNaN(a)) out.push(`${a / c >= 25 ? 'MET' : 'MISSED'}: ${r.hosts} hosts, no-change run >= 25x faster than Ansible facts off (${(a / c).toFixed(1)}x)`);
    if (r.hosts >= 40) {
      const mb = Math.max(...r.rssKb) / 1024;
      out.push(`${mb < 150 ? 'MET' : 'MISSED'}: ${r.hosts} hosts, peak RSS < 150 MB (${mb.toFixed(0)} MB)`);
    }
    out.push(`${r.identical ? 'OK' : 'DIFFERENT'}: files rendered by chom-play (Handlebars) and Ansible (Jinja2) are byte-identical, same modes and owners`);
  }
  return out;
}
