import type { SourceLoc, Vars } from '../types.js';
import type { Templated } from './keywords.js';
import type { LoopForm } from './loops.js';

/**
 * A loaded playbook: every file read, validated (ajv) and flattened, but NOTHING rendered:
 * strings still hold their `{{ }}` and `when:` expressions are raw text. Rendering happens
 * per host in the planner, where the variables are known.
 */
export interface Playbook {
  file: string; // absolute path of the playbook
  baseDir: string; // project dir used to find roles/ and templates/
  plays: Play[];
  /** Every file read (playbook, roles, vars files, task files) for hashing in run records. */
  files: string[];
}

export interface Play {
  name: string;
  hosts: string; // host pattern
  loc: SourceLoc;
  vars: Vars; // play vars, vars_files merged on top (vars_files win, as in Ansible)
  become?: boolean;
  gatherFacts: boolean; // default true
  gatherFactsExpr?: string; // gather_facts: "{{ expr }}": decided with play and extra vars (src/facts/plays.ts)
  tags: string[]; // play tags (already applied to every task below)
  roles: RoleInstance[]; // in order, with dependencies (meta/main.yml) first
  /** pre_tasks, then each role's tasks, then tasks, then post_tasks; includes expanded. */
  tasks: Task[];
  /** Play handlers and every role's handlers, in definition order. */
  handlers: Task[];
  /** Rolling batches: host counts or percentages, the last one repeating (validated). */
  serial?: Array<number | string>;
  /** Stop the play when more than this share of hosts failed (0..100). */
  maxFailPercentage?: number;
  /** Any failed host stops the play for all. */
  anyErrorsFatal: boolean;
  /** A failed task undoes the host's changes of this run (chom-play keyword). */
  rollbackOnFailure: boolean;
  /** Free MB / and /var need before any task (chom-play keyword; default in the planner). */
  minDiskFreeMb?: Templated<number>;
  /** Only 'root' is accepted on a play (a command/shell task may name another user). */
  becomeUser?: string;
  /** Where each keyword was written, for errors found when a templated value is rendered. */
  keyLocs: Partial<Record<string, SourceLoc>>;
  /** environment: for every task of the play (a mapping or a template rendering to one). */
  environment?: unknown;
  /** connection: local / ssh on the play: must agree with how each host is reached (checked per host). */
  connection?: 'local' | 'ssh';
  /** vars_files entries read per host by the planner: lists of alternatives, templated names. */
  varsFilesLater?: VarsFilesEntry[];
}

/** One vars_files entry known only per host: the first candidate that exists is read. */
export interface VarsFilesEntry {
  candidates: string[];
  loc: SourceLoc;
  /** The playbook's directory (relative names are found there). */
  dir: string;
}

export interface RoleInstance {
  name: string;
  dir: string; // absolute roles/NAME
  defaults: Vars; // defaults/main.yml
  vars: Vars; // vars/main.yml
  params: Vars; // `vars:` given where the role is listed in the play (role params)
  tags: string[];
  meta: Vars; // meta/main.yml as loaded (requires:, dependencies:)
  /** `when:` given where the role is listed (already applied to the role's tasks and handlers). */
  when?: string[];
  /** roles/NAME/files and roles/NAME/templates when they exist. */
  filesDir?: string;
  templatesDir?: string;
  /** Where the role was listed (play roles: entry or a meta dependency). */
  loc?: SourceLoc;
}

export interface Task {
  name: string; // given name, or "module: short args" if none
  module: string; // canonical module name ('copy', never 'ansible.builtin.copy')
  args: Vars; // raw args (free form already mapped, e.g. command -> {cmd})
  loc: SourceLoc; // file:line:col of the task's first key
  tags: string[]; // own + inherited (play, role, block/include)
  when: string[]; // raw expressions, all must hold (inherited ones first)
  loop?: unknown; // raw: a list, or a string template that renders to a list
  /**
   * A `with_*` form: `loop` holds the lookup's terms, turned into items by the planner
   * (src/plan/loops.ts; with_first_found: src/plan/include-vars.ts). Absent for `loop:`.
   */
  loopWith?: LoopForm;
  /** loop_control.index_var: the item's index (0-based) under this name. */
  loopIndexVar?: string;
  /** loop_control.extended: ansible_loop (index, first, last, length, ...). */
  loopExtended?: boolean;
  loopVar: string; // loop_control.loop_var, default 'item'
  notify: string[];
  register?: string;
  become?: boolean;
  ignoreErrors: boolean;
  changedWhen?: string | boolean;
  failedWhen?: string | boolean;
  noLog: boolean;
  vars: Vars; // task vars
  role?: RoleInstance; // set for tasks/handlers that come from a role
  /** Retry until this holds over the registered result (with retries, default 3). */
  until?: string | boolean;
  retries?: Templated<number>;
  /** Seconds between attempts (default 5); only with retries or until. */
  delay?: Templated<number>;
  /** Seconds before the task is killed. */
  timeout?: Templated<number>;
  /** Handlers: the topics this handler also answers to. */
  listen: string[];
  /** Per-task check_mode: true = only predict (even in a real run), false = really run (even under --check). */
  checkMode?: boolean;
  /** Per-task diff: overrides --diff for this task. */
  diff?: boolean;
  /** loop_control.label (raw, rendered per item). */
  loopLabel?: unknown;
  /** become_user: root, or (command and shell only) another user the command runs as. */
  becomeUser?: string;
  /** Where each keyword was written, for errors found when a templated value is rendered. */
  keyLocs: Partial<Record<string, SourceLoc>>;
  /** Where the module key was written (`apt:`), and each argument's key (for precise errors). */
  moduleLoc?: SourceLoc;
  argLocs?: Record<string, SourceLoc>;
  /** Position of each `notify` entry, same order as `notify`. */
  notifyLocs?: SourceLoc[];
  /** The blocks around the task (outermost first) and the section it is in; see BlockFrame. */
  blocks?: BlockFrame[];
  /** become / ignore_errors / no_log written as "{{ expression }}" (here or around): rendered per host. */
  exprs?: Partial<Record<'become' | 'ignore_errors' | 'no_log', string>>;
  /** environment: mappings (or templates rendering to one) from the outermost in; the task's last. */
  environment?: unknown[];
  /** run_once: only the first host of the play runs it. */
  runOnce?: boolean;
  /** Loops of the include_tasks / include_role around the task (outermost first), expanded per host. */
  includeLoops?: IncludeLoop[];
  /** Templated include file names around the task: it runs only where the name renders to its file. */
  includeGuards?: IncludeGuard[];
  /** A file a templated include could name but that did not load: the error, raised if a host picks it. */
  deferred?: Error;
}

/** One looping include: its tasks run in order once per item, the loop variables bound. */
export interface IncludeLoop {
  /** Unique within one loaded playbook. */
  id: number;
  loop: unknown;
  form: LoopForm;
  loopVar: string;
  indexVar?: string;
  extended: boolean;
  loc: SourceLoc;
  what: string;
}

/**
 * `include_tasks: "setup-{{ ansible_os_family }}.yml"`: the loader reads every file the name
 * could render to (its candidates); the planner renders the name per host and keeps the tasks
 * of the one file it names.
 */
export interface IncludeGuard {
  template: string;
  /** Where a relative rendered name is looked up, in order. */
  dirs: string[];
  /** The candidate these tasks come from. */
  abs: string;
  candidates: string[];
  loc: SourceLoc;
}

/** One `block:` around a task: which instance, and whether the task is in its block, rescue or always list. */
export interface BlockFrame {
  /** Unique within one loaded playbook. */
  id: number;
  section: 'block' | 'rescue' | 'always';
  /** "block NAME (file:line)" for the script's comments. */
  label: string;
  /** How many looping includes are around the block (it is one instance per their iteration). */
  loopDepth?: number;
}
