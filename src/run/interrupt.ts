/**
 * Ctrl-C / SIGTERM on the controller, in two steps:
 *   1st: stop   - start nothing new; each host finishes the task it is running, then its script
 *                 stops at the task boundary (exit traps remove temporary files, locks are released).
 *   2nd: kill   - the running tasks are killed too (their atomic writes leave the old file).
 * The runner subscribes; tests trigger it directly.
 */
/** Ansible's exit code for "user interrupted execution". */
export const EXIT_INTERRUPTED = 99;

export type InterruptLevel = 'none' | 'stop' | 'kill';

export class Interrupt {
  level: InterruptLevel = 'none';
  /** What asked for it: "SIGINT", "SIGTERM", or a reason like "any_errors_fatal". */
  reason = '';
  private readonly listeners = new Set<(level: InterruptLevel) => void>();

  get requested(): boolean {
    return this.level !== 'none';
  }

  /** Returns the level reached. */
  trigger(reason: string): InterruptLevel {
    if (this.level === 'kill') return this.level;
    this.level = this.level === 'none' ? 'stop' : 'kill';
    if (!this.reason) this.reason = reason;
    for (const l of this.listeners) l(this.level);
    return this.level;
  }

  onChange(fn: (level: InterruptLevel) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Handles SIGINT and SIGTERM until the returned function is called. Nothing may keep the
   * process after the second signal: it exits 99 at most `forceMs` later, and at once on a third.
   */
  installSignalHandlers(proc: NodeJS.Process = process, forceMs = 8000): () => void {
    const on = (sig: string) => {
      if (this.level === 'kill') return proc.exit(EXIT_INTERRUPTED);
      if (this.trigger(sig) === 'kill') setTimeout(() => proc.exit(EXIT_INTERRUPTED), forceMs).unref();
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    proc.on('SIGINT', onInt);
    proc.on('SIGTERM', onTerm);
    return () => {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
    };
  }
}
