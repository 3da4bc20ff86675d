import type { HostOutput } from './host-events.js';
import type { Reporter } from './report.js';

/**
 * Hands what the reducer says about one event to the reporter: the one place a host's events
 * become lines, for a playbook run and for the rollback command alike. A journal replay
 * inside a run (rollback_on_failure) is told as info lines between the task lines; the
 * rollback command, where the replay is the whole story, uses the reporter's rollback lines.
 * `confirm` is not a report: the caller acts on it (a new connection proves access).
 */
export function reportOutput(
  rep: Reporter,
  host: string,
  o: HostOutput,
  mode: 'run' | 'rollback',
  confirm: (id: number, file: string) => void = () => {},
): void {
  switch (o.k) {
    case 'taskStart':
      rep.taskStart?.(host, o.id, o.name);
      return;
    case 'warn':
      rep.warn(o.msg);
      return;
    case 'info':
      rep.info(o.msg);
      return;
    case 'result':
      rep.taskResult(o.result);
      return;
    case 'confirm':
      confirm(o.id, o.file);
      return;
    case 'rollback':
      if (mode === 'rollback' && rep.rollbackStart) rep.rollbackStart(host, o);
      else rep.info(`${host}: rollback_on_failure: undoing run ${o.runId} (${o.steps} steps, newest first)`);
      return;
    case 'undo':
      if (mode === 'rollback' && rep.undoStep) rep.undoStep(host, o.step);
      else rep.info(`${host}: [${o.step.status}] ${o.step.msg}`);
      return;
    case 'rollbackEnd': {
      const s = o.summary;
      // The rollback command sums these up in its recap.
      if (mode === 'run') rep.info(`${host}: rolled back: undone=${s.undone} kept=${s.kept} skipped=${s.skipped} failed=${s.failed}`);
      return;
    }
  }
}
