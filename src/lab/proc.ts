/** Process identity: a pid plus its start time, so `down` never kills a recycled pid. */
import { readFileSync } from 'node:fs';

/** Start time (clock ticks since boot, field 22 of /proc/PID/stat), or '' when no such live process. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has already died: nothing to kill, and its pid is about to be reused.
    if (rest[0] === 'Z' || rest[0] === 'X') return '';
    return rest[19] ?? '';
  } catch {
    return '';
  }
}

export function isSameProcess(pid: number, start: string): boolean {
  return pid > 0 && start !== '' && processStart(pid) === start;
}

/** Direct children of a process (needs CONFIG_PROC_CHILDREN; falls back to scanning /proc). */
export function childrenOf(pid: number): number[] {
  try {
    const s = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return s ? s.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

export function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}
