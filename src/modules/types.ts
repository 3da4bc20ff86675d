import type { SourceLoc } from '../types.js';

/**
 * A module = its arguments + a PURE compile function that returns the body of one bash function.
 * New modules are written with defineModule() (src/modules/spec.ts: aliases, defaults, types,
 * choices, mutually_exclusive, required_if, controller-side inputs) which produces this shape.
 * A plain object of this shape (a hand-written JSON schema, compile over raw args) still
 * registers: that is the adapter for modules written before the spec layer.
 * No I/O here: local files a module declares in `inputs` (copy src, template src) are
 * read/rendered by the planner and arrive in ctx.inputs.
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
  /** Controller-side inputs, by canonical argument name: the planner loads them (see InputKind). */
  inputs?: Readonly<Record<string, InputKind>>;
  /**
   * Aliases to canonical names, defaults, types, cross-argument rules (defineModule sets it).
   * Absent for old-shape modules: their compile() gets the rendered arguments as they are.
   */
  normalise?(args: Record<string, unknown>): Record<string, unknown>;
  /**
   * Arguments that are Jinja expressions (assert's that: conditions; debug's var: a value), which
   * the planner resolves from the raw task arguments before compile (src/plan/exprs.ts).
   */
  expressions?: Readonly<Record<string, 'condition' | 'value'>>;
  /** Returns the bash body of the task function. Throws ModuleArgError for semantic errors. */
  compile(args: Record<string, unknown>, ctx: CompileContext): string;
}

/**
 * What the planner does with a local path argument: 'template' renders it (looked up in
 * templates/), 'file' reads it (looked up in files/; large or binary files are staged over SFTP).
 */
export type InputKind = 'template' | 'file';

/** A loaded controller-side input: the bytes inline, or a file uploaded before the script runs. */
export type LocalInput = { contentB64: string } | { staged: { path: string; sha256: string; size: number } };

export interface CompileContext {
  /** Stable id of the task inside the host's script (1-based). */
  taskId: number;
  /** Task name for messages. */
  taskName: string;
  /** Where the task was written. */
  loc: SourceLoc;
  /** The module's declared inputs, loaded by the planner, by argument name. */
  inputs?: Readonly<Record<string, LocalInput>>;
}

/** A module argument that passed the schema but makes no sense (e.g. both content and src). */
export class ModuleArgError extends Error {
  constructor(
    message: string,
    readonly arg?: string,
  ) {
    super(message);
    this.name = 'ModuleArgError';
  }
}
