import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { InputError, suggest, type SourceLoc } from '../errors.js';
import {
  checkBecomeUser,
  findFile,
  flagBool,
  flagExprs,
  isDir,
  isFile,
  isMapping,
  normWhen,
  type Inherit,
  type LoadContext,
  type TaskSource,
} from './context.js';
import { parseKeyValues } from './kv.js';
import { readLoop } from './loops.js';
import type { IncludeGuard, Task } from './model.js';
import { stripCollection } from './registry.js';
import { check, INCLUDE_KEYWORDS, keywordWording, toBool, validators } from './schema.js';
import { describeValue } from './schema-errors.js';
import { mergeTags, normTags } from './tags.js';

/**
 * Task and role inclusion: import_tasks / include_tasks / the old include:, import_role /
 * include_role. Everything is read when the playbook loads (so --syntax-check sees every file);
 * what only a host can decide is recorded on the tasks for the planner:
 *   a loop on the include (Task.includeLoops): the included tasks run once per item, in order;
 *   a templated file name (Task.includeGuards): every file the name could render to is read, and
 *   each host keeps the tasks of the file its rendered name finds. A candidate file that does not
 *   load (another OS's tasks using a module chom-play lacks) fails only a host that picks it.
 */
export const TASK_INCLUDES = new Set(['import_tasks', 'include_tasks', 'include']);
export const ROLE_INCLUDES = new Set(['import_role', 'include_role']);

export type ListLoader = (ctx: LoadContext, value: unknown, src: TaskSource, inh: Inherit, handler: boolean) => Task[];

/** Keywords of a block / include / task that pass down to the tasks inside. */
export function deeper(inh: Inherit, e: Record<string, unknown>, src: TaskSource, at: Array<string | number> = src.path): Inherit {
  return {
    ...inh,
    tags: mergeTags(inh.tags, normTags(e.tags)),
    when: [...inh.when, ...normWhen(e.when)],
    become: flagBool(e.become) ?? inh.become,
    becomeUser: checkBecomeUser(e.become_user, src.yf.keyLocOf([...at, 'become_user'])) ?? inh.becomeUser,
    vars: { ...inh.vars, ...(isMapping(e.vars) ? e.vars : {}) },
    ignoreErrors: flagBool(e.ignore_errors) ?? inh.ignoreErrors,
    noLog: flagBool(e.no_log) ?? inh.noLog,
    exprs: flagExprs(inh.exprs, e),
    environment: e.environment === undefined || e.environment === null ? inh.environment : [...(inh.environment ?? []), e.environment],
    runOnce: toBool(e.run_once) ?? inh.runOnce,
  };
}

export function loadInclude(
  ctx: LoadContext,
  e: Record<string, unknown>,
  key: string,
  src: TaskSource,
  inh: Inherit,
  handler: boolean,
  loadList: ListLoader,
): Task[] {
  const yf = src.yf;
  const kind = stripCollection(key);
  const keyLoc = (k: string): SourceLoc => yf.keyLocOf([...src.path, k]);
  for (const k of Object.keys(e)) {
    if (k === key || INCLUDE_KEYWORDS.includes(k)) continue;
    const hint = suggest(k, INCLUDE_KEYWORDS);
    throw new InputError(
      `unknown keyword "${k}" on ${kind}${hint ? `; did you mean "${hint}"?` : ` (allowed: ${INCLUDE_KEYWORDS.join(', ')})`}`,
      keyLoc(k),
    );
  }
  const rest = Object.fromEntries(Object.entries(e).filter(([k]) => k !== key));
  check(validators.include, rest, yf, src.path, keywordWording(kind));
  const loop = readLoop(e, `${kind}: `, keyLoc);
  if (loop && kind.startsWith('import_')) {
    throw new InputError(
      `${kind} cannot loop (it is read before any variable is known, as in Ansible)`,
      keyLoc(Object.keys(e).find((k) => k === 'loop' || k.startsWith('with_')) ?? key),
      `use ${kind.replace('import_', 'include_')}`,
    );
  }
  if (loop && handler) throw new InputError(`${kind} with a loop is not supported in handlers`, keyLoc(key));
  let inner = deeper(inh, e, src);
  const raw = e[key];
  const valueLoc = yf.locOf([...src.path, key]);
  if (isMapping(raw) && isMapping(raw.apply)) inner = deeper(inner, raw.apply, src, [...src.path, key, 'apply']);
  if (loop) {
    const { loop: terms, form, loopVar, extended, indexVar } = loop;
    inner = {
      ...inner,
      includeLoops: [
        ...(inh.includeLoops ?? []),
        { id: ctx.nextBlockId++, loop: terms, form, loopVar, extended, ...(indexVar ? { indexVar } : {}), loc: valueLoc, what: kind },
      ],
    };
  }
  if (ROLE_INCLUDES.has(kind)) return includeRole(ctx, raw, kind, src, key, inner);

  // import_tasks / include_tasks / include: a name, {file: NAME, apply: ...}, or (old include) "NAME var=value ...".
  let file: string | undefined;
  if (typeof raw === 'string') {
    file = raw;
    if (kind === 'include' && /\s\w+=/.test(raw)) {
      const at = raw.search(/\s\w+=/);
      const kv = parseKeyValues(raw.slice(at + 1));
      if ('bad' in kv) throw new InputError(`include: cannot read "${kv.bad}" (write include: FILE var=value ...)`, valueLoc);
      file = raw.slice(0, at).trim();
      inner = { ...inner, vars: { ...inner.vars, ...kv.args } };
    }
  } else if (isMapping(raw)) {
    check(validators.taskInclude, raw, yf, [...src.path, key], keywordWording(kind));
    file = String(raw.file);
  }
  if (file === undefined)
    throw new InputError(`${kind} needs a file name (a string, or {file: NAME}), got ${describeValue(raw)}`, valueLoc);
  const dirs = [dirname(src.abs), ...inh.includeDirs];
  if (file.includes('{{')) {
    if (handler) throw new InputError(`${kind} "${file}" in handlers uses a variable; handlers must name their files literally`, valueLoc);
    return templatedInclude(ctx, file, dirs, valueLoc, src, inner, handler, loadList);
  }
  const abs = findFile(file, dirs, 'task file', valueLoc);
  if (src.stack.includes(abs))
    throw new InputError(`include cycle: ${[...src.stack, abs].map((f) => ctx.display(f)).join(' -> ')}`, valueLoc);
  const inc = ctx.read(abs);
  try {
    return loadList(ctx, inc.value, { yf: inc, path: [], abs, stack: [...src.stack, abs] }, inner, handler);
  } catch (err) {
    // include_tasks is dynamic in Ansible: `include_tasks: setup-RedHat.yml` + `when:` is never
    // read on Debian. A file that does not load fails only a host whose `when` lets it in.
    if (kind !== 'include_tasks' || handler || inner.when.length === inh.when.length || !(err instanceof InputError)) throw err;
    return [deferredTask(ctx, abs, err, valueLoc, inner)];
  }
}

function includeRole(ctx: LoadContext, raw: unknown, kind: string, src: TaskSource, key: string, inner: Inherit): Task[] {
  const loc = src.yf.locOf([...src.path, key]);
  const spec = typeof raw === 'string' ? { name: raw } : raw;
  if (!isMapping(spec)) throw new InputError(`${kind} needs a mapping with name: ROLE, got ${describeValue(raw)}`, loc);
  if (typeof raw !== 'string') check(validators.roleInclude, spec, src.yf, [...src.path, key], keywordWording(kind));
  if (!ctx.roles) throw new InputError(`${kind} is only allowed in a play's tasks or roles`, loc);
  const name = String(spec.name);
  if (name.includes('{{'))
    throw new InputError(`${kind} name "${name}" uses a variable; chom-play reads roles before variables are known`, loc);
  const str = (k: string): string | undefined => (typeof spec[k] === 'string' ? (spec[k] as string) : undefined);
  return ctx.roles.include(
    {
      name,
      tasksFrom: str('tasks_from'),
      varsFrom: str('vars_from'),
      defaultsFrom: str('defaults_from'),
      handlersFrom: str('handlers_from'),
      // import_role exposes the role's variables to the play (it is static); include_role only with public: true.
      public: toBool(spec.public) ?? kind === 'import_role',
      loc,
    },
    inner,
  );
}

/** The files `template` could name: the literal parts kept, each `{{ }}` any text. */
export function includeCandidates(template: string, dirs: string[]): string[] {
  const parts = template.split(/\{\{[\s\S]*?\}\}/);
  const re = new RegExp('^' + parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+') + '$');
  const litDir = parts[0].includes('/') ? parts[0].slice(0, parts[0].lastIndexOf('/') + 1) : '';
  const out: string[] = [];
  const roots = isAbsolute(template) ? ['/'] : dirs;
  for (const root of roots) {
    const walk = (dir: string, depth: number): void => {
      if (!isDir(dir)) return;
      for (const n of readdirSync(dir).sort()) {
        const p = join(dir, n);
        if (isDir(p)) {
          if (depth < 2) walk(p, depth + 1);
        } else if (/\.ya?ml$/.test(n) && re.test(isAbsolute(template) ? p : relative(root, p)) && !out.includes(p)) out.push(p);
      }
    };
    walk(join(root, litDir), 0);
  }
  return out;
}

function templatedInclude(
  ctx: LoadContext,
  template: string,
  dirs: string[],
  loc: SourceLoc,
  src: TaskSource,
  inner: Inherit,
  handler: boolean,
  loadList: ListLoader,
): Task[] {
  const candidates = includeCandidates(template, dirs);
  if (candidates.length === 0) {
    throw new InputError(
      `no task file can match "${template}"`,
      loc,
      `looked in: ${dirs.map((d) => ctx.display(d)).join(', ')} (the name's literal parts must match a .yml file there)`,
    );
  }
  const out: Task[] = [];
  // Only files that hold a task list are candidates (not the includer itself, vars or inventory files).
  const isTaskList = (abs: string): boolean => {
    try {
      return Array.isArray(ctx.read(abs).value);
    } catch {
      return false;
    }
  };
  const taskFiles = candidates.filter((abs) => !src.stack.includes(abs) && isTaskList(abs));
  for (const abs of taskFiles) {
    const guard: IncludeGuard = { template, dirs, abs, candidates: taskFiles, loc };
    const inh: Inherit = { ...inner, includeGuards: [...(inner.includeGuards ?? []), guard] };
    try {
      out.push(...loadList(ctx, ctx.read(abs).value, { yf: ctx.read(abs), path: [], abs, stack: [...src.stack, abs] }, inh, handler));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      out.push(deferredTask(ctx, abs, err, loc, inh));
    }
  }
  return out;
}

/** Stands for a candidate file that did not load: planning it (a host picked that file) raises the error. */
function deferredTask(ctx: LoadContext, abs: string, err: InputError, loc: SourceLoc, inh: Inherit): Task {
  const t: Task = {
    name: `include_tasks: ${ctx.display(abs)}`,
    module: 'include_tasks',
    args: {},
    loc,
    tags: inh.tags,
    when: inh.when,
    loopVar: 'item',
    notify: [],
    ignoreErrors: false,
    noLog: false,
    vars: inh.vars,
    listen: [],
    keyLocs: {},
    deferred: err,
  };
  if (inh.includeGuards) t.includeGuards = inh.includeGuards;
  if (inh.includeLoops) t.includeLoops = inh.includeLoops;
  if (inh.role) t.role = inh.role;
  return t;
}

/** Where a rendered include name leads (first existing file), or undefined. */
export function resolveInclude(rendered: string, dirs: string[]): string | undefined {
  if (isAbsolute(rendered)) return isFile(rendered) ? rendered : undefined;
  return dirs.map((d) => join(d, rendered)).find(isFile);
}
