import { InputError, suggest, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import { validateArgsWith } from './args.js';
import {
  checkBecomeUser,
  flagBool,
  flagExprs,
  isMapping,
  normWhen,
  type Inherit,
  type LoadContext,
  type TaskSource,
  type YamlPath,
} from './context.js';
import { parseKeyValues, splitFreeForm } from './kv.js';
import type { Task } from './model.js';
import { stripCollection } from './registry.js';
import { UNSUPPORTED_TASK_HINTS, check, keywordWording, TASK_KEYWORDS, toBool, UNSUPPORTED_TASK, validators } from './schema.js';
import { describeValue } from './schema-errors.js';
import { notImplementedMessage } from '../hints/modules.js';
import { mergeTags, normTags } from './tags.js';
import { intKeyword, strListKeyword } from './keywords.js';
import { readLoop, type LoopSpec } from './loops.js';
import { deeper, loadInclude, ROLE_INCLUDES, TASK_INCLUDES } from './includes.js';

/** Modules that honour become_user: command and shell run as that user (runuser); the others do not run anything. */
const BECOME_USER_MODULES = new Set(['command', 'shell', 'debug', 'set_fact', 'assert', 'fail', 'include_vars']);

/** A list of tasks (play section, role tasks/handlers file, block, included file) -> flat Task[]. */
export function loadTaskList(ctx: LoadContext, value: unknown, src: TaskSource, inh: Inherit, handler: boolean): Task[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new InputError(`expected a list of ${handler ? 'handlers' : 'tasks'}, got ${describeValue(value)}`, src.yf.locOf(src.path));
  }
  const out: Task[] = [];
  value.forEach((entry, i) => {
    const here: TaskSource = { ...src, path: [...src.path, i] };
    if (!isMapping(entry))
      throw new InputError(
        `a ${handler ? 'handler' : 'task'} must be a mapping of keywords, got ${describeValue(entry)}`,
        src.yf.locOf(here.path),
      );
    const keys = Object.keys(entry);
    const incKey = keys.find((k) => TASK_INCLUDES.has(stripCollection(k)) || ROLE_INCLUDES.has(stripCollection(k)));
    for (const k of ['rescue', 'always']) {
      if (k in entry && !('block' in entry))
        throw new InputError(`"${k}:" belongs to a block; this entry has no "block:"`, src.yf.keyLocOf([...here.path, k]));
      if (k in entry && handler)
        throw new InputError(
          `block "${k}:" is not supported in handlers`,
          src.yf.keyLocOf([...here.path, k]),
          'move the block into the tasks, or use ignore_errors on the handler',
        );
    }
    if ('import_playbook' in entry)
      throw new InputError(
        'import_playbook is only allowed at the top level of a playbook',
        src.yf.keyLocOf([...here.path, 'import_playbook']),
      );
    if ('block' in entry) out.push(...loadBlock(ctx, entry, here, inh, handler));
    else if (incKey) out.push(...loadInclude(ctx, entry, incKey, here, inh, handler, loadTaskList));
    else out.push(loadTask(ctx, entry, here, inh, handler));
  });
  return out;
}

function loadBlock(ctx: LoadContext, e: Record<string, unknown>, src: TaskSource, inh: Inherit, handler: boolean): Task[] {
  const label = typeof e.name === 'string' ? `block "${e.name}"` : 'block';
  check(validators.block, e, src.yf, src.path, keywordWording('block', UNSUPPORTED_TASK), `${label}: `);
  const inner = deeper(inh, e, src);
  if (handler || (e.rescue === undefined && e.always === undefined)) {
    // A plain block only passes keywords down: nothing to compile around its tasks.
    return loadTaskList(ctx, e.block, { ...src, path: [...src.path, 'block'] }, inner, handler);
  }
  const loc = src.yf.locOf(src.path);
  const id = ctx.nextBlockId++;
  const frameLabel = `${label} (${loc.file}:${loc.line})`;
  const section = (k: 'block' | 'rescue' | 'always'): Task[] =>
    loadTaskList(
      ctx,
      e[k],
      { ...src, path: [...src.path, k] },
      { ...inner, blocks: [...(inh.blocks ?? []), { id, section: k, label: frameLabel, loopDepth: inh.includeLoops?.length ?? 0 }] },
      handler,
    );
  return [...section('block'), ...section('rescue'), ...section('always')];
}

function loadTask(ctx: LoadContext, e: Record<string, unknown>, src: TaskSource, inh: Inherit, handler: boolean): Task {
  const { yf, path } = src;
  const keyLoc = (k: string | number, ...more: Array<string | number>): SourceLoc => yf.keyLocOf([...path, k, ...more]);
  const given = typeof e.name === 'string' ? e.name : undefined;
  const modKeys: string[] = [];
  const unknown: string[] = [];
  for (const k of Object.keys(e)) {
    if (TASK_KEYWORDS.includes(k)) {
      if (k === 'listen' && !handler) throw new InputError('"listen" is only valid on handlers', keyLoc(k));
    } else if (ctx.modules.get(k)) modKeys.push(k);
    else unknown.push(k);
  }
  const label = given ?? modKeys[0] ?? unknown[0] ?? '?';
  const prefix = `task "${label}": `;
  if (modKeys.length > 1)
    throw new InputError(
      `${prefix}has two modules, "${modKeys[0]}" and "${modKeys[1]}"; a task runs exactly one module`,
      keyLoc(modKeys[1]),
      'split it into two tasks',
    );
  for (const k of unknown) throw unknownKey(ctx, k, modKeys.length === 1, prefix, keyLoc(k));
  const modKey = modKeys[0];
  if (!modKey) throw new InputError(`${prefix}has no module; supported modules: ${ctx.modules.names().join(', ')}`, yf.locOf(path));
  const keywords = Object.fromEntries(Object.entries(e).filter(([k]) => k !== modKey));
  check(validators.taskKeywords, keywords, yf, path, keywordWording('task', UNSUPPORTED_TASK), prefix);

  const def = ctx.modules.get(modKey)!;
  const moduleLoc = keyLoc(modKey);
  const { args, argLocs } = moduleArgs(
    e[modKey],
    def.freeForm,
    Object.keys((def.schema.properties ?? {}) as object),
    modKey,
    prefix,
    moduleLoc,
    path,
    src,
  );
  if (isMapping(e.args)) {
    for (const [k, v] of Object.entries(e.args)) {
      if (k in args) continue; // inline arguments win over args:
      args[k] = v;
      argLocs[k] = keyLoc('args', k);
    }
  }

  const loopSpec = readLoop(e, prefix, keyLoc);
  const notify = e.notify === undefined || e.notify === null ? [] : Array.isArray(e.notify) ? e.notify.map(String) : [String(e.notify)];
  const notifyLocs = Array.isArray(e.notify)
    ? notify.map((_, j) => yf.locOf([...path, 'notify', j]))
    : notify.map(() => yf.locOf([...path, 'notify']));
  const keyLocs: Partial<Record<string, SourceLoc>> = {};
  for (const k of Object.keys(keywords)) keyLocs[k] = keyLoc(k);
  const kwLoc = (k: string): SourceLoc => keyLocs[k] ?? yf.locOf(path);
  const delay = intKeyword('delay', e.delay, 0, kwLoc('delay'));
  if (delay !== undefined && e.retries === undefined && e.until === undefined) {
    throw new InputError(
      `${prefix}delay needs retries or until`,
      kwLoc('delay'),
      'add until: (a condition on the registered result) or retries:',
    );
  }

  const task: Task = {
    name: given ?? defaultName(modKey, args, def.freeForm),
    module: def.name,
    args,
    loc: yf.locOf(path),
    tags: mergeTags(inh.tags, normTags(e.tags)),
    when: [...inh.when, ...normWhen(e.when)],
    loopVar: loopSpec?.loopVar ?? 'item',
    notify,
    ignoreErrors: flagBool(e.ignore_errors) ?? inh.ignoreErrors ?? false,
    noLog: flagBool(e.no_log) ?? inh.noLog ?? false,
    vars: { ...inh.vars, ...(isMapping(e.vars) ? e.vars : {}) },
    listen: strListKeyword(e.listen),
    keyLocs,
    moduleLoc,
    argLocs,
    notifyLocs,
  };
  if (loopSpec) setLoop(task, loopSpec);
  if (typeof e.register === 'string') task.register = e.register;
  const retries = intKeyword('retries', e.retries, 0, kwLoc('retries'));
  if (retries !== undefined) task.retries = retries;
  if (delay !== undefined) task.delay = delay;
  const timeout = intKeyword('timeout', e.timeout, 1, kwLoc('timeout'));
  if (timeout !== undefined) task.timeout = timeout;
  if (e.until !== undefined) task.until = condition(e.until);
  if (e.check_mode !== undefined) task.checkMode = toBool(e.check_mode);
  if (e.diff !== undefined) task.diff = toBool(e.diff);
  const becomeUser = checkBecomeUser(e.become_user, kwLoc('become_user')) ?? inh.becomeUser;
  if (becomeUser) task.becomeUser = becomeUser;
  const become = flagBool(e.become) ?? inh.become;
  if (become !== undefined) task.become = become;
  if (e.changed_when !== undefined) task.changedWhen = condition(e.changed_when);
  if (e.failed_when !== undefined) task.failedWhen = condition(e.failed_when);
  if (inh.role) task.role = inh.role;
  const exprs = flagExprs(inh.exprs, e);
  if (exprs) task.exprs = exprs;
  const env = e.environment === undefined || e.environment === null ? inh.environment : [...(inh.environment ?? []), e.environment];
  if (env) task.environment = env;
  if (toBool(e.run_once) ?? inh.runOnce) task.runOnce = true;
  if (becomeUser && becomeUser !== 'root' && !BECOME_USER_MODULES.has(task.module)) {
    throw new InputError(
      `${prefix}become_user "${becomeUser}" works on command and shell tasks only (${task.module} runs as root)`,
      kwLoc('become_user'),
      'use owner:/group: arguments for files, or run the step with command/shell',
    );
  }
  if (inh.blocks) task.blocks = inh.blocks;
  if (inh.includeLoops) task.includeLoops = inh.includeLoops;
  if (inh.includeGuards) task.includeGuards = inh.includeGuards;
  validateArgsWith(task, task.args, false, ctx.modules);
  return task;
}

function unknownKey(ctx: LoadContext, k: string, hasModule: boolean, prefix: string, loc: SourceLoc): InputError {
  const gap = hasModule ? undefined : notImplementedMessage(k);
  if (gap) return new InputError(`${prefix}${gap}`, loc, `supported modules: ${ctx.modules.names().join(', ')}`);
  if (UNSUPPORTED_TASK.has(k))
    return new InputError(`${prefix}task keyword "${k}" is not supported by chom-play`, loc, UNSUPPORTED_TASK_HINTS[k]);
  const kw = suggest(k, TASK_KEYWORDS);
  const mod = suggest(k, ctx.modules.names());
  if (hasModule || (kw && !mod)) {
    return new InputError(
      `${prefix}unknown task keyword "${k}"${kw ? `; did you mean "${kw}"?` : mod ? ` (a task runs exactly one module; did you mean "${mod}"?)` : ''}`,
      loc,
    );
  }
  return new InputError(
    `unknown module "${k}"${mod ? `; did you mean "${mod}"?` : ''}`,
    loc,
    mod ? undefined : `supported modules: ${ctx.modules.names().join(', ')}`,
  );
}

/** The module's value: mapping, free-form string, `key=value` string, or nothing. */
function moduleArgs(
  raw: unknown,
  freeForm: string | undefined,
  props: string[],
  modKey: string,
  prefix: string,
  moduleLoc: SourceLoc,
  path: YamlPath,
  src: TaskSource,
): { args: Vars; argLocs: Record<string, SourceLoc> } {
  const argLocs: Record<string, SourceLoc> = {};
  if (raw === null || raw === undefined) return { args: {}, argLocs };
  if (isMapping(raw)) {
    for (const k of Object.keys(raw)) argLocs[k] = src.yf.keyLocOf([...path, modKey, k]);
    return { args: { ...raw }, argLocs };
  }
  if (typeof raw === 'string' || typeof raw === 'number') {
    const s = String(raw);
    let args: Vars;
    if (freeForm) {
      const split = splitFreeForm(s, new Set(props.filter((p) => p !== freeForm)));
      args = { ...split.args };
      if (split.rest !== '') args[freeForm] = split.rest;
    } else {
      const kv = parseKeyValues(s);
      if ('bad' in kv) {
        throw new InputError(
          `${prefix}${stripCollection(modKey)} takes a mapping of arguments or key=value pairs; cannot read "${kv.bad}"`,
          moduleLoc,
        );
      }
      args = kv.args;
    }
    for (const k of Object.keys(args)) argLocs[k] = moduleLoc;
    return { args, argLocs };
  }
  throw new InputError(`${prefix}arguments of ${stripCollection(modKey)} must be a mapping, got ${describeValue(raw)}`, moduleLoc);
}

/** `name` a user sees when the task has none: "apt: nginx", "command: make install". */
function defaultName(modKey: string, args: Vars, freeForm: string | undefined): string {
  const mod = stripCollection(modKey);
  const keys = [...(freeForm ? [freeForm] : []), 'name', 'path', 'dest', 'src', 'url', 'regexp', 'line', 'key'];
  const k = keys.find((x) => args[x] !== undefined) ?? Object.keys(args)[0];
  if (k === undefined) return mod;
  const v = args[k];
  let s = Array.isArray(v) ? v.map(String).join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  s = s.split('\n')[0].trim();
  if (s.length > 50) s = `${s.slice(0, 47)}...`;
  return `${mod}: ${s}`;
}

/** changed_when/failed_when as a list means all must hold. */
function condition(v: unknown): string | boolean {
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.length === 1 ? String(v[0]) : v.map((x) => `(${String(x)})`).join(' and ');
  return String(v);
}

/** A task's loop keywords onto the task (the planner expands them per host). */
function setLoop(task: Task, l: LoopSpec): void {
  task.loop = l.loop;
  if (l.form !== 'list') task.loopWith = l.form;
  if (l.label !== undefined) task.loopLabel = l.label;
  if (l.indexVar !== undefined) task.loopIndexVar = l.indexVar;
  if (l.extended) task.loopExtended = true;
}
