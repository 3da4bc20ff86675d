import { quote } from '../shell/quote.js';

/**
 * What a host's own journal of a run says, beyond what reached the controller: after a silent
 * partition the host goes on until its heartbeat check stops it at a task boundary, and the
 * controller never hears about the tasks it completed meanwhile. The journal is written on the
 * host (one JSON line per change, `src/shell/prelude/core.sh` chom_journal), so it knows.
 */
export interface HostJournal {
  /** The host stopped before this task (a "stop" line: controller silent); earlier ones completed. */
  stoppedBefore?: number;
  /** Why, as the host wrote it. */
  stopWhy?: string;
  /** Tasks that changed something on the host (their handlers may be owed a run). */
  changed: Set<number>;
}

/** The journal directory the host scripts write to (prelude default; not configurable per run). */
const JOURNAL_DIR = '/var/lib/chom-play/runs';

/** Prints a run's journal on the host; nothing when the run changed nothing there. */
export function journalScript(runId: string): string {
  const file = `${JOURNAL_DIR}/${runId}.jsonl`;
  return `if [ -f ${quote(file)} ]; then cat -- ${quote(file)}; fi\n`;
}

/** Reads journal lines of run `runId`; lines that do not parse (a write cut short) are skipped. */
export function parseJournal(text: string, runId: string): HostJournal {
  const j: HostJournal = { changed: new Set() };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const o = v as Record<string, unknown>;
    if (o.run !== runId || typeof o.task !== 'number' || typeof o.op !== 'string') continue;
    if (o.op === 'stop') {
      j.stoppedBefore = o.task;
      if (typeof o.path === 'string') j.stopWhy = o.path;
    } else j.changed.add(o.task);
  }
  return j;
}
