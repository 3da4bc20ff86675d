/** Medians, ratios and the markdown table of the bench. */
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

/** floor: `ssh host bash -s` < the rendered script; state: `ssh host` one stat + one sha256sum. */
export type Tool = 'chom' | 'chomFacts' | 'floor' | 'state' | 'ansible' | 'ansibleFacts';
export type Phase = 'first' | 'again';

export interface SizeResult {
  hosts: number;
  /** Wall times in ms per tool and phase, one per repetition. */
  ms: Record<Tool, Record<Phase, number[]>>;
  rssKb: number[];
  /** chom-play's controller CPU (user + system, ms) per run, facts off. */
  cpuMs: Record<Phase, number[]>;
  /** chom-play's -v phase timings of the no-change runs: phase -> one entry per run. */
  phases: Map<string, Array<{ ms: number; cpuMs: number }>>;
  identical: boolean;
}

export function emptyResult(hosts: number): SizeResult {
  const t = (): Record<Phase, number[]> => ({ first: [], again: [] });
  return {
    hosts,
    ms: { chom: t(), chomFacts: t(), floor: t(), state: t(), ansible: t(), ansibleFacts: t() },
    rssKb: [],
    cpuMs: t(),
    phases: new Map(),
    identical: true,
  };
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

const COLUMNS = [
  'hosts',
  'run',
  'chom-play',
  'state-read floor (ssh stat + sha256sum)',
  'script floor (ssh bash -s)',
  'Ansible facts off',
  'Ansible facts on',
  'chom-play facts on',
  'chom-play / state floor',
  'chom-play / script floor',
  'Ansible off / chom-play',
  'Ansible on / chom-play',
  'controller CPU per host',
  'reps (chom/ansible)',
];

const msPerHost = (ms: number, hosts: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / hosts).toFixed(1)} ms`);
const peakMb = (r: SizeResult) => (r.rssKb.length ? Math.max(...r.rssKb) / 1024 : NaN);

export function table(results: SizeResult[]): string {
  const rows: string[] = [`| ${COLUMNS.join(' | ')} |`, `|---:|---|${'---:|'.repeat(COLUMNS.length - 3)}---|`];
  for (const r of results) {
    for (const phase of ['first', 'again'] as const) {
      const m = (t: Tool) => median(r.ms[t][phase]);
      rows.push(
        `| ${[
          r.hosts,
          phase === 'first' ? 'first (fresh hosts)' : 'no change',
          sec(m('chom')),
          sec(m('state')),
          sec(m('floor')),
          sec(m('ansible')),
          sec(m('ansibleFacts')),
          sec(m('chomFacts')),
          ratio2(m('chom'), m('state')),
          ratio2(m('chom'), m('floor')),
          ratio(m('ansible'), m('chom')),
          ratio(m('ansibleFacts'), m('chom')),
          msPerHost(median(r.cpuMs[phase]), r.hosts),
          `${r.ms.chom[phase].length}/${r.ms.ansible[phase].length}`,
        ].join(' | ')} |`,
      );
    }
  }
  const rss = results.map((r) => `${r.hosts} hosts: ${peakMb(r).toFixed(0)} MB`).join(', ');
  const slopes = wallPerAddedHost(results)
    .map((s) => `${s.from}->${s.to}: ${s.ms.toFixed(0)} ms`)
    .join(', ');
  return [
    rows.join('\n'),
    '',
    `chom-play peak RSS (max over runs): ${rss}`,
    ...(slopes ? ['', `chom-play no-change wall time per added host: ${slopes}`] : []),
    '',
  ].join('\n');
}

/** Slope of the no-change wall time between consecutive sizes from 40 hosts up. */
export function wallPerAddedHost(results: SizeResult[]): Array<{ from: number; to: number; ms: number }> {
  const big = results.filter((r) => r.hosts >= 40).sort((a, b) => a.hosts - b.hosts);
  const out: Array<{ from: number; to: number; ms: number }> = [];
  for (let i = 1; i < big.length; i++) {
    const [a, b] = [big[i - 1], big[i]];
    out.push({ from: a.hosts, to: b.hosts, ms: (median(b.ms.chom.again) - median(a.ms.chom.again)) / (b.hosts - a.hosts) });
  }
  return out;
}

/** The issue's targets (issue 15), evaluated on the medians. */
export function targets(results: SizeResult[]): string[] {
  const out: string[] = [];
  const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
  for (const r of results) {
    const c = median(r.ms.chom.again);
    const st = median(r.ms.state.again);
    const a = median(r.ms.ansible.again);
    const limit = r.hosts === 1 ? 1.5 : 1.3;
    out.push(
      `${verdict(c / st <= limit)}: ${r.hosts} host(s), no-change run within ${limit}x of the state-read floor (${(c / st).toFixed(2)}x)`,
    );
    if (r.hosts > 1 && !Number.isNaN(a))
      out.push(`${verdict(a / c >= 30)}: ${r.hosts} hosts, no-change run >= 30x faster than Ansible facts off (${(a / c).toFixed(1)}x)`);
    if (r.hosts >= 100) {
      const cpu = median(r.cpuMs.again) / r.hosts;
      out.push(`${verdict(cpu < 20)}: ${r.hosts} hosts, no-change controller CPU < 20 ms per host (${cpu.toFixed(1)} ms)`);
      out.push(`${verdict(peakMb(r) < 200)}: ${r.hosts} hosts, peak RSS < 200 MB (${peakMb(r).toFixed(0)} MB)`);
    }
    if (!Number.isNaN(a))
      out.push(
        `${r.identical ? 'OK' : 'DIFFERENT'}: ${r.hosts} host(s), files rendered by chom-play (Handlebars) and Ansible (Jinja2) are byte-identical, same modes and owners`,
      );
  }
  const slopes = wallPerAddedHost(results);
  if (slopes.length >= 2) {
    const first = slopes[0].ms;
    const last = slopes[slopes.length - 1].ms;
    // "Flat": the last slope is no more than a quarter above the first (noise on a shared machine).
    out.push(
      `${verdict(last <= first * 1.25)}: no-change wall time per added host flat from ${slopes[0].from} to ${slopes[slopes.length - 1].to} hosts (${slopes.map((s) => s.ms.toFixed(0)).join(' -> ')} ms)`,
    );
  }
  return out;
}

/** Where chom-play's no-change run spends its time, phase by phase (medians of its -v timings). */
export function profile(results: SizeResult[]): string {
  const phases = [...new Set(results.flatMap((r) => [...r.phases.keys()]))];
  if (phases.length === 0) return '';
  const cell = (r: SizeResult, ph: string) => {
    const v = r.phases.get(ph) ?? [];
    return v.length ? `${median(v.map((x) => x.ms)).toFixed(0)} / ${median(v.map((x) => x.cpuMs)).toFixed(0)}` : 'n/a';
  };
  return [
    'chom-play no-change run, phase by phase (`-v` timings, src/run/timings.ts): median wall / controller CPU, ms',
    '',
    `| phase | ${results.map((r) => `${r.hosts} host(s)`).join(' | ')} |`,
    `|---|${results.map(() => '---:|').join('')}`,
    ...phases.map((ph) => `| ${ph} | ${results.map((r) => cell(r, ph)).join(' | ')} |`),
    '',
  ].join('\n');
}
