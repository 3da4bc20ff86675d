import type { SourceLoc } from '../errors.js';

/**
 * A module = an argument schema (JSON Schema, Ansible's argument names) + a PURE compile
 * function that returns the body of one bash function. No I/O here: files a task needs
 * (copy src, template output) are read/rendered by the planner and arrive in `args`.
 *
 * The returned snippet runs inside the generated script (see src/shell/prelude.ts for the
 * runtime functions it may call: chom_changed, chom_ok, chom_fail, chom_put_content, ...).
 * It runs in a subshell with `set -euo pipefail`, stdin from /dev/null, its stdout/stderr
 * captured (the tail is shown on failure). It must:
 *   - inspect the current state and change only what differs (idempotent);
 *   - call chom_changed "what it did" for every change, chom_ok "why nothing to do" otherwise;
 *   - in check mode (chom_check returns 0) change nothing on the host, yet report exactly
 *     what it would change; file writes go through the prelude, which redirects them to a
 *     scratch copy so later tasks of the same run see them;
 *   - fail with chom_fail "message" (exits the task's subshell with status 1).
 * Every user value is passed through quote() from src/shell/quote.ts. Never splice raw.
 */
export interface ModuleDef {
  /** Canonical name, e.g. 'copy'. `ansible.builtin.copy` is mapped to it by the loader. */
  name: string;
  /** Other names for this module (e.g. 'service' for 'systemd'). */
  aliases?: string[];
  /** JSON Schema for the arguments (type object, additionalProperties false, Ansible names). */
  schema: Record<string, unknown>;
  /** Name of the argument that a free-form string task (`command: ls -l`) maps to. */
  freeForm?: string;
  /** Returns the bash body of the task function. Throws ModuleArgError for semantic errors. */
  compile(args: Record<string, unknown>, ctx: CompileContext): string;
}

export interface CompileContext {
  /** Stable id of the task inside the host's script (1-based). */
  taskId: number;
  /** Task name for messages. */
  taskName: string;
  /** Where the task was written. */
  loc: SourceLoc;
}

/** A module argument that passed the schema but makes no sense (e.g. both content and src). */
export class ModuleArgError extends Error {
  constructor(message: string, readonly arg?: string) {
    super(message);
    this.name = 'ModuleArgError';
  }
}
