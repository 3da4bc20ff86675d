import { InputError } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { Play, Task } from '../playbook/model.js';
import { resolveInclude } from '../playbook/includes.js';
import { parseBool } from '../bool.js';
import { quote } from '../shell/quote.js';
import { compileCondition, renderValue, type TemplateContext } from '../template/index.js';
import type { SourceLoc } from '../errors.js';

/** Per-host decisions on task keywords: templated flags, environment, become_user, templated includes. */

/** become / ignore_errors / no_log: the keyword's value, a "{{ expression }}" rendered with the host's vars. */
export function flagOf(task: Task, k: 'become' | 'ignore_errors' | 'no_log', vars: Vars, tmpl: TemplateContext, dflt: boolean): boolean {
  const expr = task.exprs?.[k];
  if (expr === undefined) return dflt;
  const loc = task.keyLocs[k] ?? task.loc;
  const v = renderValue(expr, vars, loc, tmpl);
  const b = parseBool(v);
  if (b === undefined) throw new InputError(`task "${task.name}": ${k} must render to a boolean, got ${JSON.stringify(v)}`, loc);
  return b;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * environment (play, block, include, task; inner wins): exported at the top of the task's
 * function, which runs in its own subshell, so the variables reach this task's commands only.
 */
export function taskEnvironment(tmpl: TemplateContext, play: Play, task: Task, vars: Vars): string {
  const layers = [...(play.environment === undefined ? [] : [play.environment]), ...(task.environment ?? [])];
  if (layers.length === 0) return '';
  const env: Record<string, string> = {};
  for (const raw of layers) {
    const loc = task.keyLocs.environment ?? task.loc;
    const v = renderValue(raw, vars, loc, tmpl);
    for (const m of Array.isArray(v) ? v : [v]) {
      if (m === null || m === undefined) continue;
      if (typeof m !== 'object' || Array.isArray(m))
        throw new InputError(
          `task "${task.name}": environment must be a mapping of variable names to values, got ${JSON.stringify(m)}`,
          loc,
        );
      for (const [k, x] of Object.entries(m as Vars)) {
        if (!ENV_NAME.test(k)) throw new InputError(`task "${task.name}": environment variable name "${k}" is not valid`, loc);
        env[k] =
          x === null || x === undefined
            ? ''
            : typeof x === 'object'
              ? JSON.stringify(x)
              : typeof x === 'boolean'
                ? x
                  ? 'True'
                  : 'False'
                : String(x);
      }
    }
  }
  return Object.entries(env)
    .map(([k, x]) => `export ${k}=${quote(x)}\n`)
    .join('');
}

/**
 * become_user other than root (command and shell only, checked by the loader): the command runs
 * through `runuser -u USER --` (util-linux; the script already runs as root under become), with
 * that user's HOME and SHELL as `sudo -H -u` gives them. Without become it changes nothing, as in Ansible.
 */
export function becomeUserLine(tmpl: TemplateContext, connBecome: boolean, play: Play, task: Task, vars: Vars): string {
  if (task.becomeUser === undefined) return '';
  const become = task.exprs?.become !== undefined ? flagOf(task, 'become', vars, tmpl, false) : (task.become ?? play.become ?? connBecome);
  if (!become) return '';
  const user = String(renderValue(task.becomeUser, vars, task.keyLocs.become_user ?? task.loc, tmpl));
  if (user === 'root') return '';
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(user))
    throw new InputError(`task "${task.name}": become_user "${user}" is not a user name`, task.keyLocs.become_user ?? task.loc);
  return `CHOM_BECOME_USER=${quote(user)} # become_user\n`;
}

/**
 * A task from a templated include (`include_tasks: "{{ x }}.yml"`) belongs to this host's plan
 * when the name, rendered with the host's variables, finds the file the task comes from. A
 * name that finds no file is an error, unless the include's `when` is already false. A
 * candidate file that did not load fails here, only for a host that picks it.
 */
export function includedHere(tmpl: TemplateContext, task: Task, vars: Vars, registered: ReadonlySet<string>): boolean {
  const whenFalse = (): boolean => {
    try {
      return task.when.length > 0 && conditionOf(task.when, vars, registered, task.loc) === false;
    } catch {
      return false;
    }
  };
  for (const g of task.includeGuards ?? []) {
    let rendered: string;
    try {
      rendered = String(renderValue(g.template, vars, g.loc, tmpl));
    } catch (err) {
      if (whenFalse()) return false;
      throw err;
    }
    const found = resolveInclude(rendered, g.dirs);
    if (!found || !g.candidates.includes(found)) {
      if (whenFalse()) return false;
      throw new InputError(`cannot find task file "${rendered}" (include_tasks "${g.template}")`, g.loc, `looked in: ${g.dirs.join(', ')}`);
    }
    if (found !== g.abs) return false;
  }
  if (task.deferred) {
    if (whenFalse()) return false;
    throw task.deferred;
  }
  return true;
}

/** AND of all conditions: false/true when known now, else a bash condition. */
export function conditionOf(exprs: string[], vars: Vars, registered: ReadonlySet<string>, loc: SourceLoc): boolean | string {
  const parts: string[] = [];
  for (const e of exprs) {
    const c = compileCondition(e, vars, registered, loc);
    if (c.kind === 'const') {
      if (!c.value) return false;
    } else parts.push(`( ${c.code} )`);
  }
  return parts.length === 0 ? true : parts.join(' && ');
}
