import { hostFactsOf, refuseRuntimeValues } from './runtime-values.js';
import { InputError, type SourceLoc } from '../errors.js';
import type { Inventory, Vars } from '../inventory/model.js';
import { getModule } from '../modules/index.js';
import { ModuleArgError, type LocalInput } from '../modules/types.js';
import type { Play, Playbook, Task } from '../playbook/model.js';
import { validateArgs } from '../playbook/index.js';
import type { ScriptTask } from '../shell/script.js';
import { prefetchHints } from '../shell/prefetch.js';
import type { ScriptBlockFrame } from '../shell/blocks.js';
import { becomeUserLine, conditionOf, flagOf, includedHere, taskEnvironment } from './keywords.js';
import { compileCondition, overlay, renderValue, resolveVars, type TemplateContext } from '../template/index.js';
import { loadInputs } from './inputs.js';
import { stageDirFor, type SourceFile, type Upload } from './staging.js';
import { connectionFor, hostEntry } from '../inventory/index.js';
import type { Templated } from '../playbook/keywords.js';
import { scopeFor, type SharedMagic, type VarsInputs } from './vars.js';
import { resolveExpressionArgs } from './exprs.js';
import { CONTROLLER_MODULES, hostLayer, refuseRunTimeValues } from './set-fact.js';
import { firstFoundLoop } from './include-vars.js';
import { playForHost } from './vars-files.js';
import { extendedLoop, loopItems } from './loops.js';

/** Everything the planner needs besides the play and host. */
export interface PlanContext {
  playbook: Playbook;
  inventory: Inventory;
  extraVars: Vars;
  env: Record<string, string>;
  facts: Map<string, Vars>;
  /** Tasks of each play after --tags/--skip-tags, computed once per play. */
  selected: Map<Play, Task[]>;
  /** Compiled module bodies shared across hosts: same module + same rendered args = same bash. */
  bodyCache: Map<string, string>;
  /** copy sources read once per run (sha256, size, bytes when inlined). */
  sources?: Map<string, SourceFile>;
  /** Project dir, .env and the redactor, for helpers such as {{password "name"}}. */
  tmpl: TemplateContext;
}

/** One host's part of a play, ready for buildScript(). */
export interface HostPlan {
  host: string;
  tasks: ScriptTask[];
  handlers: ScriptTask[];
  /**
   * The script runs under `sudo -n` (when the login user is not root). Decided here once: the
   * validated connection variable (ansible_become / ansible_sudo, any Ansible boolean spelling)
   * or the play's or any task's become keyword.
   */
  become: boolean;
  /** The SSH (or local) login user the script runs as before sudo. */
  loginUser: string;
  /** Play keyword min_disk_free_mb (default 512): free MB / and /var need before any task. */
  minDiskFreeMb: number;
  /** Play keyword rollback_on_failure: a failed task undoes the host's changes of this run. */
  rollbackOnFailure: boolean;
  /** Large or binary copy sources to upload (SFTP) before the script runs. */
  uploads: Upload[];
}

/** The script header's "runs as" line: the login user, and whether bash runs under `sudo -n`. */
export function runAsLine(plan: Pick<HostPlan, 'loginUser' | 'become'>): string {
  if (!plan.become) return `login user ${plan.loginUser}, no become (bash -s, no sudo)`;
  if (plan.loginUser === 'root') return 'login user root, become (already root: bash -s, no sudo)';
  return `login user ${plan.loginUser}, become: sudo -n -- bash -s`;
}

/** Default of the play keyword min_disk_free_mb. */
export const DEFAULT_MIN_DISK_FREE_MB = 512;

/** Compiles one play for one host: loops expanded, `when` decided or compiled, args rendered. */
export function planHost(ctx: PlanContext, play: Play, host: string, playHosts: string[], shared: SharedMagic): HostPlan {
  const inputs: VarsInputs = {
    inventory: ctx.inventory,
    host,
    play,
    playHosts,
    facts: ctx.facts.get(host),
    extraVars: ctx.extraVars,
    env: ctx.env,
  };
  // vars_files alternatives / templated names, read once this host's vars and facts are known.
  if (play.varsFilesLater) inputs.play = playForHost(play, resolveVars(scopeFor(inputs, shared, undefined), play.loc, ctx.tmpl), ctx.tmpl);
  const scopes = new Map<unknown, Vars>();
  const conn = connectionFor(ctx.inventory, host, hostEntry(ctx.inventory, host)?.vars ?? {});
  if (play.connection && play.connection !== conn.connection) {
    throw new InputError(
      `play "${play.name}": connection: ${play.connection}, but host "${host}" is reached over ${conn.connection}`,
      play.keyLocs.connection ?? play.loc,
      play.connection === 'local'
        ? 'connection: local applies to hosts run on the controller: hosts: localhost, or ansible_connection: local in the inventory'
        : 'remove connection: from the play, or set ansible_connection for the host',
    );
  }
  const hc: HostCompile = { uploads: [], stageDir: stageDirFor(conn.user), connBecome: conn.become };
  // set_fact / include_vars results of this host, kept across plays (src/plan/set-fact.ts); scopes are rebuilt when they change.
  const layer = hostLayer(ctx, host, play);
  // `outer`: loop variables of includes around the task (they are seen by its vars: too).
  const scopeOf = (t: Task, outer: Vars = {}, taskVars = true): Vars => {
    let base = scopes.get(t.role ?? play);
    if (!base) {
      base = resolveVars(scopeFor(inputs, shared, t.role, {}, layer.varsFor(t.role)), play.loc, ctx.tmpl);
      scopes.set(t.role ?? play, base);
    }
    const withOuter = (v: Vars): Vars => (Object.keys(outer).length > 0 ? overlay(v, outer) : v);
    if (!taskVars || Object.keys(t.vars).length === 0) return withOuter(base);
    // Task vars sit below set_fact/include_vars and role params (Ansible's order): a scope of its own.
    const tv = renderValue(t.vars, withOuter(base), t.loc, ctx.tmpl) as Vars;
    return withOuter(resolveVars(scopeFor(inputs, shared, t.role, tv, layer.varsFor(t.role)), t.loc, ctx.tmpl));
  };

  const registered = new Set<string>();
  const handlerIds = new Map<string, number>();
  const handlers: ScriptTask[] = [];
  let nextId = 1;
  const tasks: ScriptTask[] = [];
  const taskList = ctx.selected.get(play) ?? play.tasks;

  // Handler ids come first so tasks can point at them; handler bodies are compiled after the tasks
  // (they may use variables registered by tasks).
  const handlerBase = 100_000;
  play.handlers.forEach((h, i) => {
    handlerIds.set(h.name, handlerBase + i);
    for (const l of h.listen) if (!handlerIds.has(l)) handlerIds.set(l, handlerBase + i);
  });

  const hostFacts = new Set<string>();
  // Block ids are renumbered per loop iteration of an include around them (src/shell/blocks.ts
  // needs one id per block instance on this host).
  const blockIds = new Map<string, number>();
  const blocksOf = (t: Task, iter: string[]): ScriptBlockFrame[] | undefined =>
    t.blocks?.map((b) => {
      const k = `${b.id}/${iter.slice(0, b.loopDepth ?? 0).join('/')}`;
      let id = blockIds.get(k);
      if (id === undefined) blockIds.set(k, (id = blockIds.size + 1));
      return { id, section: b.section, label: b.label };
    });
  let becomeByExpr = false;
  const emit = (task: Task, outer: Vars, iter: string[]): void => {
    // run_once: the play's first host runs it (its registered value is not shared with the others).
    if (task.runOnce && host !== playHosts[0]) return;
    if (task.exprs?.become !== undefined && flagOf(task, 'become', scopeOf(task, outer), ctx.tmpl, false)) becomeByExpr = true;
    // set_fact/include_vars run on the controller: their own refusal also covers `when:` (which
    // other tasks may put on registered values, since it compiles to bash).
    const onController = CONTROLLER_MODULES.has(task.module);
    if (onController) refuseRunTimeValues(task, registered);
    refuseRuntimeValues(task, registered, hostFacts);
    let vars = scopeOf(task, outer);
    const blocks = blocksOf(task, iter);
    for (const item of expandLoop(task, vars, ctx.tmpl)) {
      const v = item.bind ? overlay(vars, { [task.loopVar]: item.value, ...item.extra }) : vars;
      let st: ScriptTask;
      if (onController) {
        st = layer.apply(task, v, registered, nextId++, ctx.tmpl, item.label);
        scopes.clear();
        vars = scopeOf(task, outer);
      } else {
        st = compileTask(ctx, hc, play, task, v, nextId++, registered, handlerIds, item.label);
      }
      if (blocks) st.blocks = blocks;
      tasks.push(st);
    }
    if (task.register) registered.add(task.register);
    for (const f of hostFactsOf(task)) hostFacts.add(f);
  };
  const walk = (list: Task[], depth: number, outer: Vars, iter: string[]): void => {
    for (let i = 0; i < list.length;) {
      const f = list[i].includeLoops?.[depth];
      if (!f) {
        if (includedHere(ctx.tmpl, list[i], scopeOf(list[i], outer), registered)) emit(list[i], outer, iter);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < list.length && list[j].includeLoops?.[depth]?.id === f.id) j++;
      const group = list.slice(i, j);
      const items = loopItems(f.form, renderValue(f.loop, scopeOf(group[0], outer, false), f.loc, ctx.tmpl), f.what, f.loc);
      items.forEach((value, k) => {
        const bind: Vars = { [f.loopVar]: value };
        if (f.indexVar) bind[f.indexVar] = k;
        if (f.extended) bind.ansible_loop = extendedLoop(items, k);
        walk(group, depth + 1, { ...outer, ...bind }, [...iter, `${f.id}:${k}`]);
      });
      i = j;
    }
  };
  walk(taskList, 0, {}, []);
  play.handlers.forEach((h, i) => {
    if (CONTROLLER_MODULES.has(h.module)) {
      throw new InputError(
        `handler "${h.name}": ${h.module} as a handler runs only when notified, which is known only while the host runs`,
        h.loc,
        `make it a task (with when: on a variable), or set the value where it is used`,
      );
    }
    refuseRuntimeValues(h, registered, hostFacts);
    const st = compileTask(ctx, hc, play, h, scopeOf(h), handlerBase + i, registered, handlerIds);
    handlers.push(st);
  });
  const become =
    conn.become ||
    becomeByExpr ||
    play.become === true ||
    taskList.some((t) => t.become === true) ||
    play.handlers.some((t) => t.become === true);
  const playVars = scopes.get(play) ?? resolveVars(scopeFor(inputs, shared, undefined), play.loc, ctx.tmpl);
  const minDisk =
    play.minDiskFreeMb === undefined
      ? DEFAULT_MIN_DISK_FREE_MB
      : intOf(play.minDiskFreeMb, 'min_disk_free_mb', playVars, play.keyLocs.min_disk_free_mb ?? play.loc, ctx.tmpl, 0);
  return {
    host,
    tasks,
    handlers,
    become,
    loginUser: conn.user,
    minDiskFreeMb: minDisk,
    rollbackOnFailure: play.rollbackOnFailure,
    uploads: hc.uploads,
  };
}

/** An integer keyword (retries, delay, timeout, min_disk_free_mb): the loader typed it; a template is rendered here. */
function intOf(raw: Templated<number>, what: string, vars: Vars, loc: SourceLoc, tmpl: TemplateContext, min: number): number {
  if (typeof raw === 'number') return raw;
  const v = renderValue(raw, vars, loc, tmpl);
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min) throw new InputError(`${what} must be a whole number >= ${min}, got ${JSON.stringify(v)}`, loc);
  return n;
}

/**
 * retries/delay/until/timeout as in Ansible: with until, retries defaults to 3 and the task runs
 * at most retries + 1 times until the condition (over the registered result) holds; retries
 * alone retries until the task does not fail; delay (default 5 s) waits between attempts.
 */
function addRetries(base: ScriptTask, task: Task, vars: Vars, registered: ReadonlySet<string>, tmpl: TemplateContext): void {
  const at = (k: string): SourceLoc => task.keyLocs[k] ?? task.loc;
  if (task.timeout !== undefined) base.timeout = intOf(task.timeout, `task "${task.name}": timeout`, vars, at('timeout'), tmpl, 1);
  if (task.until === undefined && task.retries === undefined) return;
  const retries = task.retries === undefined ? 3 : intOf(task.retries, `task "${task.name}": retries`, vars, at('retries'), tmpl, 0);
  base.attempts = retries + 1;
  base.delay = task.delay === undefined ? 5 : intOf(task.delay, `task "${task.name}": delay`, vars, at('delay'), tmpl, 0);
  if (task.until !== undefined) base.until = bashOf(task.until, vars, registered, at('until'));
}

interface LoopItem {
  bind: boolean;
  value?: unknown;
  label?: string;
  /** loop_control.index_var and ansible_loop (extended), bound beside the loop variable. */
  extra?: Vars;
}

function expandLoop(task: Task, vars: Vars, tmpl: TemplateContext): LoopItem[] {
  if (task.loop === undefined) return [{ bind: false }];
  const what = `task "${task.name}"`;
  const list =
    task.loopWith === 'first_found'
      ? firstFoundLoop(task, vars, tmpl)
      : loopItems(task.loopWith ?? 'list', renderValue(task.loop, vars, task.loc, tmpl), what, task.loc);
  const labelTpl = task.loopLabel;
  return list.map((value, i) => {
    const extra: Vars = {};
    if (task.loopIndexVar) extra[task.loopIndexVar] = i;
    if (task.loopExtended) extra.ansible_loop = extendedLoop(list, i);
    const label =
      labelTpl !== undefined ? renderValue(labelTpl, overlay(vars, { [task.loopVar]: value, ...extra }), task.loc, tmpl) : value;
    return { bind: true, value, label: typeof label === 'object' ? JSON.stringify(label) : String(label), extra };
  });
}

/** Per host: where large copy sources are staged, and what to upload. */
export interface HostCompile {
  uploads: Upload[];
  stageDir: string;
  /** The connection's own become (ansible_become): the default of a task's become. */
  connBecome: boolean;
}

function compileTask(
  ctx: PlanContext,
  hc: HostCompile,
  play: Play,
  task: Task,
  vars: Vars,
  id: number,
  registered: ReadonlySet<string>,
  handlerIds: Map<string, number>,
  itemLabel?: string,
): ScriptTask {
  const name = itemLabel === undefined ? renderName(task, vars, ctx.tmpl) : `${renderName(task, vars, ctx.tmpl)} (item=${itemLabel})`;
  const base: ScriptTask = {
    id,
    name,
    loc: task.loc,
    body: ':',
    notify: [],
    ignoreErrors: flagOf(task, 'ignore_errors', vars, ctx.tmpl, task.ignoreErrors),
    noLog: flagOf(task, 'no_log', vars, ctx.tmpl, task.noLog),
  };
  const selfAndRegistered = task.register ? new Set([...registered, task.register]) : registered;
  if (task.register) base.register = task.register;
  const when = task.when.length === 0 ? undefined : conditionOf(task.when, vars, registered, task.loc);
  if (when === false) return { ...base, when: 'false' };
  if (typeof when === 'string') base.when = when;

  const args = renderValue(task.args, vars, task.loc, ctx.tmpl) as Vars;
  validateArgs(task, args, true);
  const mod = getModule(task.module);
  if (!mod) throw new InputError(`unknown module "${task.module}"`, task.loc);
  const argError = (err: unknown): unknown =>
    err instanceof ModuleArgError
      ? new InputError(`task "${name}": ${mod.name}: ${err.message}`, (err.arg && task.argLocs?.[err.arg]) || task.moduleLoc || task.loc)
      : err;
  let params: Vars;
  let inputs: Record<string, LocalInput>;
  try {
    params = resolveExpressionArgs(
      mod,
      mod.normalise ? mod.normalise(args) : args,
      task.args as Vars,
      vars,
      registered,
      task.loc,
      ctx.tmpl,
    );
    inputs = loadInputs(ctx, hc, task, mod.inputs ?? {}, params, vars);
  } catch (err) {
    throw argError(err);
  }
  const key = `${mod.name}\0${id}\0${JSON.stringify(params)}\0${JSON.stringify(inputs)}`;
  let body = ctx.bodyCache.get(key);
  if (body === undefined) {
    try {
      body = mod.compile(params, { taskId: id, taskName: name, loc: task.loc, inputs });
    } catch (err) {
      throw argError(err);
    }
    ctx.bodyCache.set(key, body);
  }
  base.body =
    modeOverrides(task) + taskEnvironment(ctx.tmpl, play, task, vars) + becomeUserLine(ctx.tmpl, hc.connBecome, play, task, vars) + body;
  Object.assign(base, prefetchHints(mod.name, args));

  for (const n of task.notify) {
    const rendered = String(renderValue(n, vars, task.loc, ctx.tmpl));
    const hid = handlerIds.get(rendered);
    if (hid === undefined)
      throw new InputError(`task "${name}" notifies "${rendered}", but no handler of play "${play.name}" has that name`, task.loc);
    if (!base.notify.includes(hid)) base.notify.push(hid);
  }
  if (task.changedWhen !== undefined) base.changedWhen = bashOf(task.changedWhen, vars, selfAndRegistered, task.loc);
  if (task.failedWhen !== undefined) base.failedWhen = bashOf(task.failedWhen, vars, selfAndRegistered, task.loc);
  addRetries(base, task, vars, selfAndRegistered, ctx.tmpl);
  return base;
}

/**
 * Per-task check_mode / diff: the task function runs in its own subshell, so setting the flags at
 * its top changes them for this task only. check_mode: true predicts (writes go to the check-mode
 * scratch copy, nothing is journaled); check_mode: false really runs even under --check.
 */
function modeOverrides(task: Task): string {
  const L: string[] = [];
  if (task.checkMode !== undefined) L.push(`CHOM_CHECK=${task.checkMode ? 1 : 0} # check_mode: ${task.checkMode}`);
  if (task.diff !== undefined) L.push(`CHOM_DIFF=${task.diff ? 1 : 0} # diff: ${task.diff}`);
  return L.length === 0 ? '' : L.join('\n') + '\n';
}

function renderName(task: Task, vars: Vars, tmpl: TemplateContext): string {
  if (!task.name.includes('{{')) return task.name;
  try {
    return String(renderValue(task.name, vars, task.loc, tmpl));
  } catch {
    return task.name; // a name is a label: never fail a run over it
  }
}

function bashOf(expr: string | boolean, vars: Vars, registered: ReadonlySet<string>, loc: SourceLoc): string {
  const c = compileCondition(expr, vars, registered, loc);
  return c.kind === 'const' ? (c.value ? 'true' : 'false') : c.code;
}
