import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { InputError, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import { readYaml, type YamlFile } from '../yaml/read.js';
import { parseBool } from '../bool.js';
import type { BlockFrame, IncludeGuard, IncludeLoop, RoleInstance, Task } from './model.js';
import type { ModuleRegistry } from './registry.js';

export type YamlPath = Array<string | number>;

/** Shared state of one loadPlaybook() call: the module registry and every file read. */
export class LoadContext {
  readonly files: string[] = [];
  /** Next `block:` / looping include id (ids are unique within the playbook). */
  nextBlockId = 1;
  /** include_role / import_role of the play being loaded (set by the play loader). */
  roles?: RoleIncluder;
  /** Handlers of roles included by tasks, and included roles made public: drained per play. */
  extraHandlers: Task[] = [];
  publicRoles: RoleInstance[] = [];
  private readonly cache = new Map<string, YamlFile>();

  constructor(
    readonly modules: ModuleRegistry,
    readonly projectDir: string,
  ) {}

  /** How a file is named in messages: relative to the project when inside it. */
  display(abs: string): string {
    const rel = relative(this.projectDir, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
  }

  /** Reads a YAML file once (positions kept) and records it in Playbook.files. */
  read(abs: string): YamlFile {
    let yf = this.cache.get(abs);
    if (!yf) {
      yf = readYaml(abs, this.display(abs));
      this.cache.set(abs, yf);
      this.files.push(abs);
    }
    return yf;
  }
}

/** Where a list of tasks comes from, and what they inherit from around them. */
export interface TaskSource {
  yf: YamlFile;
  path: YamlPath;
  /** Absolute path of the file holding the list (includes are relative to it). */
  abs: string;
  /** Chain of task files being included, to refuse cycles. */
  stack: string[];
}

export interface Inherit {
  tags: string[];
  when: string[];
  become?: boolean;
  becomeUser?: string;
  vars: Vars;
  ignoreErrors?: boolean;
  noLog?: boolean;
  role?: RoleInstance;
  /** Extra directories to look for included task files (a role's tasks/, the playbook dir). */
  includeDirs: string[];
  /** Blocks around (outermost first). */
  blocks?: BlockFrame[];
  /** become / ignore_errors / no_log given as "{{ expression }}": rendered per host. */
  exprs?: FlagExprs;
  /** environment: mappings (or templates) around, outermost first. */
  environment?: unknown[];
  runOnce?: boolean;
  includeLoops?: IncludeLoop[];
  includeGuards?: IncludeGuard[];
}

/** What include_role / import_role asks of the play's role expander. */
export interface RoleIncludeSpec {
  name: string;
  tasksFrom?: string;
  varsFrom?: string;
  defaultsFrom?: string;
  handlersFrom?: string;
  public: boolean;
  loc: SourceLoc;
}

export interface RoleIncluder {
  /** The role's tasks (meta dependencies' first); its handlers go to ctx.extraHandlers. */
  include(spec: RoleIncludeSpec, inh: Inherit): Task[];
}

export const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

export function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/** First existing file among `dirs/rel`, or an InputError listing where it looked. */
export function findFile(rel: string, dirs: string[], what: string, loc: SourceLoc): string {
  const tried = isAbsolute(rel) ? [rel] : [...new Set(dirs.map((d) => join(d, rel)))];
  for (const p of tried) if (isFile(p)) return p;
  throw new InputError(`cannot find ${what} "${rel}"`, loc, `looked in: ${tried.join(', ')}`);
}

/** Static loading cannot follow a path that depends on variables: say so. */
export function refuseTemplatedPath(p: string, what: string, loc: SourceLoc): void {
  if (p.includes('{{')) {
    throw new InputError(
      `${what} "${p}" uses a variable; chom-play loads files before variables are known, so the path must be literal`,
      loc,
    );
  }
}

/** `when:` as written (string, boolean, list) -> list of raw expressions. */
export function normWhen(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/** Ansible's `become_user`: a user name (or a template); which tasks can use it is checked per task. */
export function checkBecomeUser(v: unknown, loc: SourceLoc): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v);
  if (!s.includes('{{') && !/^[a-z_][a-z0-9_.-]*\$?$/i.test(s)) throw new InputError(`become_user "${s}" is not a user name`, loc);
  return s;
}

/** A keyword boolean; undefined for a "{{ expression }}" (kept in FlagExprs for the planner). */
export function flagBool(v: unknown): boolean | undefined {
  if (typeof v === 'string' && v.includes('{{')) return undefined;
  return v === undefined || v === null ? undefined : parseBool(v) === true;
}

export type FlagExprs = Partial<Record<'become' | 'ignore_errors' | 'no_log', string>>;

/** Keywords that may be a "{{ expression }}": the template kept for the planner, or undefined. */
export function flagExprs(outer: FlagExprs | undefined, e: Record<string, unknown>): FlagExprs | undefined {
  let out = outer;
  for (const k of ['become', 'ignore_errors', 'no_log'] as const) {
    if (!(k in e)) continue;
    const v = e[k];
    out = { ...out };
    if (typeof v === 'string' && v.includes('{{')) out[k] = v;
    else delete out[k];
  }
  return out && Object.keys(out).length > 0 ? out : undefined;
}
