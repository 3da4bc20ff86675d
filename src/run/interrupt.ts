/**
 * Ctrl-C / SIGTERM on the controller, in two steps:
 *   1st: stop   - start nothing new; each host finishes the task it is running, then its script
 *                 stops at the task boundary (exit traps remove temporary files, locks are released).
 *   2nd: kill   - the running tasks are killed too (their atomic writes leave the old file).
 * The runner subscribes; tests trigger it directly.
 */
export type InterruptLevel = 'none' | 'stop' | 'kill';

export class Interrupt {
  level: InterruptLevel = 'none';
  /** What asked for it: "SIGINT", "SIGTERM", or a reason like "any_errors_fatal". */
  reason = '';
  private readonly listeners = new Set<(level: InterruptLevel) => void>();

  get requested(): boolean {
    return this.level !== 'none';
  }

  trigger(reason: string): void {
    if (this.level === 'kill') return;
    this.level = this.level === 'none' ? 'stop' : 'kill';
    if (!this.reason) this.reason = reason;
    for (const l of this.listeners) l(this.level);
  }

  onChange(fn: (level: InterruptLevel) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Handles SIGINT and SIGTERM until the returned function is called. */
  installSignalHandlers(proc: NodeJS.Process = process): () => void {
    const onInt = () => this.trigger('SIGINT');
    const onTerm = () => this.trigger('SIGTERM');
    proc.on('SIGINT', onInt);
    proc.on('SIGTERM', onTerm);
    return () => {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
    };
  }
}
