import { PRELUDE } from '../shell/prelude.js';

/**
 * How the controller makes a running script stop at the next task boundary (first Ctrl-C).
 * The controller always writes the stop file /run/chom-play/stop-RUN_ID through a second session
 * of the host's connection; then:
 * - NATIVE_STOP: the script checks that file between tasks itself (chom__stop_requested);
 * - otherwise a guard runs before each task (host-run.ts): a `when` condition evaluated in the
 *   script's main shell (no subshell, no process), false so the guard is always "skipped". When
 *   the file exists it sets CHOM_LOST=1 (LOST_FLAG: the runtime's "controller gone: stop at the
 *   next boundary" flag, which also skips rollback_on_failure), so the next task does not start.
 *   Without that flag the guard fails instead, which stops the script the way a failed task does.
 * Signals are not used for this: a HUP arriving while the script waits for its task makes that
 * wait return 129, which a runtime can mistake for the task's exit status.
 */
export const NATIVE_STOP = PRELUDE.includes('chom__stop_requested');
export const LOST_FLAG = PRELUDE.includes('CHOM_LOST');
