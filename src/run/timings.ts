/**
 * Phase timings of one controller process, printed under -v: where a run's wall time and CPU
 * go, phase by phase (start-up, reading the playbook, connecting, facts, compiling, the hosts'
 * scripts, the record). Issue 15 asks to say where the controller's own ~0.9 s go; a profile
 * a user can ask for on any run is the way to keep that answer current.
 *
 * Recording is always on: one performance.now() and one process.cpuUsage() per phase, a handful
 * per run, whatever the number of hosts. Phases are ended, not started: each covers the time
 * since the previous mark, the first one since the process started (node's own start-up and
 * loading the CLI's modules), so the phases add up to the whole run.
 */
import { performance } from 'node:perf_hooks';

export interface Mark {
  phase: string;
  /** ms since the process started (performance.timeOrigin). */
  at: number;
  /** CPU of this process (user + system) since it started, µs. */
  cpuUs: number;
}

const marks: Mark[] = [];

function cpuNow(): number {
  const c = process.cpuUsage();
  return c.user + c.system;
}

/** Ends the phase called `phase` now. A phase ended twice (one per play, say) adds up. */
export function phaseDone(phase: string): void {
  marks.push({ phase, at: performance.now(), cpuUs: cpuNow() });
}

export interface PhaseTiming {
  phase: string;
  ms: number;
  cpuMs: number;
}

/** Phases in order of first appearance, repeated phases summed; the rest of the run is "other". */
export function phaseTimings(now = performance.now(), cpuUs = cpuNow()): PhaseTiming[] {
  return sumPhases(marks, { at: now, cpuUs });
}

/** The arithmetic of phaseTimings on given marks (pure, for tests). */
export function sumPhases(list: readonly Mark[], end: { at: number; cpuUs: number }): PhaseTiming[] {
  const out = new Map<string, PhaseTiming>();
  let prev = { at: 0, cpuUs: 0 };
  const add = (phase: string, at: number, cpu: number) => {
    const t = out.get(phase) ?? { phase, ms: 0, cpuMs: 0 };
    t.ms += at - prev.at;
    t.cpuMs += (cpu - prev.cpuUs) / 1000;
    out.set(phase, t);
    prev = { at, cpuUs: cpu };
  };
  for (const m of list) add(m.phase, m.at, m.cpuUs);
  if (end.at - prev.at >= 0.5) add('other (after the last phase)', end.at, end.cpuUs);
  return [...out.values()];
}

/** The -v lines: one per phase, then the total; wall and CPU both, so waiting shows as such. */
export function formatTimings(timings: PhaseTiming[] = phaseTimings()): string {
  const width = Math.max(...timings.map((t) => t.phase.length), 5);
  const ms = (n: number) => `${n.toFixed(0).padStart(6)} ms`;
  const lines = timings.map((t) => `  ${t.phase.padEnd(width)} ${ms(t.ms)} wall ${ms(t.cpuMs)} cpu`);
  const total = timings.reduce((a, t) => ({ ms: a.ms + t.ms, cpuMs: a.cpuMs + t.cpuMs }), { ms: 0, cpuMs: 0 });
  lines.push(`  ${'total'.padEnd(width)} ${ms(total.ms)} wall ${ms(total.cpuMs)} cpu`);
  return `controller timings (-v):\n${lines.join('\n')}\n`;
}

/**
 * Per-host steps (connect, facts, plan, script) overlap across hosts, so they are no phase of
 * the run: each is summed over the hosts, with its slowest host, to show what a host waits for.
 */
interface Span {
  count: number;
  totalMs: number;
  maxMs: number;
}
const spans = new Map<string, Span>();

function addSpan(name: string, ms: number): void {
  const s = spans.get(name) ?? { count: 0, totalMs: 0, maxMs: 0 };
  s.count++;
  s.totalMs += ms;
  s.maxMs = Math.max(s.maxMs, ms);
  spans.set(name, s);
}

/** Awaits `p`, adding its wall time to the per-host step `name`. */
export async function timed<T>(name: string, p: Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await p;
  } finally {
    addSpan(name, performance.now() - t0);
  }
}

/** Runs `fn`, adding its wall time (all CPU: it is synchronous) to the per-host step `name`. */
export function timedSync<T>(name: string, fn: () => T): T {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    addSpan(name, performance.now() - t0);
  }
}

/** The -v lines of the per-host steps, in order of first use. */
export function formatSpans(): string {
  if (spans.size === 0) return '';
  const width = Math.max(...[...spans.keys()].map((k) => k.length));
  const lines = [...spans].map(
    ([k, s]) =>
      `  ${k.padEnd(width)} ${s.totalMs.toFixed(0).padStart(7)} ms summed over ${s.count} host(s), slowest ${s.maxMs.toFixed(0)} ms`,
  );
  return `per-host steps (overlapping across hosts):\n${lines.join('\n')}\n`;
}

/** For tests: forget the marks of earlier runs in this process. */
export function resetTimings(): void {
  marks.length = 0;
  spans.clear();
}
