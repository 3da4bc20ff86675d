/**
 * What the controller can honestly say about a host whose connection was lost mid-run: it
 * knows which tasks reported back, not what the host did after that. The host's script goes
 * on with its current task and stops at the next task boundary once it notices the controller
 * is gone (connection closed, or no heartbeat for CHOM_HEARTBEAT_TIMEOUT seconds).
 */
export function lostHostAdvice(host: string, reported: number, total: number): string {
  return (
    `${host}: connection lost; ${reported} of ${total} tasks reported back. The host may have finished more ` +
    'before it noticed (it stops at a task boundary once the controller is silent). When it is reachable ' +
    "again, rerun with --resume: it reads the host's journal of this run and starts where the host stopped " +
    '(else at the first task not reported; tasks already applied report ok).'
  );
}
