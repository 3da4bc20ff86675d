import { dirname } from 'node:path';
import { parseBool } from '../bool.js';
import { InputError, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import { validateArgs } from '../playbook/index.js';
import type { Play, Playbook, RoleInstance, Task } from '../playbook/model.js';
import type { ScriptTask } from '../shell/script.js';
import { quote } from '../shell/quote.js';
import { compileCondition, renderValue, type TemplateContext } from '../template/index.js';
import { flagOf } from './keywords.js';
import { includeVars } from './include-vars.js';

/**
 * set_fact and include_vars in a plan compiled ahead: both change the host's variables, and
 * their values are known on the controller once facts are (vars, facts, earlier set_facts,
 * included files). The planner applies them in task order; the host only reports ok.
 * A value (or a condition) that needs a registered result is only known while the host runs:
 * that is a clear error here, as the plan is not split into segments yet.
 */
export const CONTROLLER_MODULES: ReadonlySet<string> = new Set(['set_fact', 'include_vars']);

/**
 * The layer of one host for one planning of the run: set facts and included vars stay for the
 * rest of the playbook (later plays too), as in Ansible. Planning the host again from an earlier
 * play (a second planning with the same context) starts empty.
 */
const layers = new WeakMap<object, Map<string, { layer: HostVarsLayer; lastPlay: number }>>();
export function hostLayer(ctx: { playbook: Playbook }, host: string, play: Play): HostVarsLayer {
  let byHost = layers.get(ctx);
  if (!byHost) layers.set(ctx, (byHost = new Map()));
  const index = ctx.playbook.plays.indexOf(play);
  const hit = byHost.get(host);
  if (hit && index > hit.lastPlay) {
    hit.lastPlay = index;
    return hit.layer;
  }
  const layer = new HostVarsLayer(ctx.playbook);
  byHost.set(host, { layer, lastPlay: index });
  return layer;
}

/** What set_fact and include_vars added for one host (Ansible: include_vars < set_fact). */
export class HostVarsLayer {
  private readonly included: Vars = {};
  private readonly facts: Vars = {};

  constructor(private readonly playbook: Playbook) {}

  /**
   * Variables for a task of `role` on top of task vars: the magic paths Ansible sets
   * (playbook_dir, role_path, ansible_search_path), included vars, then set facts.
   */
  varsFor(role: RoleInstance | undefined): Vars {
    const pbDir = dirname(this.playbook.file);
    const search = [...new Set([...(role ? [role.dir] : []), pbDir, this.playbook.baseDir])];
    const magic: Vars = { playbook_dir: pbDir, ansible_search_path: search };
    if (role) Object.assign(magic, { role_path: role.dir, role_name: role.name });
    return { ...magic, ...this.included, ...this.facts };
  }

  /** Applies one set_fact or include_vars task for one loop item; the ok task the host reports. */
  apply(task: Task, vars: Vars, registered: ReadonlySet<string>, id: number, tmpl: TemplateContext, itemLabel?: string): ScriptTask {
    const name = labelOf(task, vars, tmpl, itemLabel);
    const base: ScriptTask = {
      id,
      name,
      loc: task.loc,
      body: ':',
      notify: [],
      ignoreErrors: flagOf(task, 'ignore_errors', vars, tmpl, task.ignoreErrors),
      noLog: flagOf(task, 'no_log', vars, tmpl, task.noLog),
    };
    if (task.register) base.register = task.register; // `x is succeeded` later works as on the host
    refuseRunTimeValues(task, registered);
    for (const e of task.when) {
      const c = compileCondition(e, vars, registered, task.keyLocs.when ?? task.loc);
      if (c.kind !== 'const') throw runTime(task, 'when:', task.keyLocs.when ?? task.loc, 'a registered result');
      if (!c.value) return { ...base, when: 'false' };
    }
    const args = renderValue(task.args, vars, task.moduleLoc ?? task.loc, tmpl) as Vars;
    validateArgs(task, args, true);
    if (task.module === 'set_fact') {
      const set: Vars = {};
      for (const [k, v] of Object.entries(args)) {
        if (k === 'cacheable') continue;
        // Ansible's set_fact turns the words true/false/yes/no into booleans.
        const b = typeof v === 'string' && /^(true|false|yes|no)$/i.test(v) ? parseBool(v) : undefined;
        set[k] = typeof b === 'boolean' ? b : v;
      }
      Object.assign(this.facts, set);
      base.body = `chom_ok ${quote(base.noLog ? 'set facts' : `set ${Object.keys(set).join(', ')}`)}\n`;
      return base;
    }
    const got = includeVars(args, task, vars, this.playbook, tmpl.secrets);
    Object.assign(this.included, got);
    base.body = `chom_ok ${quote(`included ${Object.keys(got).length} variable(s)`)}\n`;
    return base;
  }
}

function labelOf(task: Task, vars: Vars, tmpl: TemplateContext, itemLabel: string | undefined): string {
  let n = task.name;
  if (n.includes('{{')) {
    try {
      n = String(renderValue(n, vars, task.loc, tmpl));
    } catch {
      // a name is a label: never fail a run over it
    }
  }
  return itemLabel === undefined ? n : `${n} (item=${itemLabel})`;
}

function runTime(task: Task, what: string, loc: SourceLoc, uses: string): InputError {
  return new InputError(
    `task "${task.name}": ${task.module} ${what} uses ${uses}, which is only known while the host runs; ${task.module} is applied on the controller before the host runs (segments are not built yet)`,
    loc,
    "use the registered value directly in the later task's when:/changed_when:/failed_when:, or compute the value from facts and vars",
  );
}

/** Template text that names a registered variable (outside quotes is close enough for a clear error). */
function usesRegistered(v: unknown, registered: ReadonlySet<string>): string | undefined {
  if (typeof v === 'string') {
    const code = [...v.matchAll(/\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g)].map((m) => m[1] ?? m[2]).join(' ');
    for (const r of registered) if (new RegExp(`(^|[^\\w.'"])${r}\\b`).test(code)) return r;
    return undefined;
  }
  if (Array.isArray(v)) return v.map((x) => usesRegistered(x, registered)).find((x) => x !== undefined);
  if (v !== null && typeof v === 'object')
    return Object.values(v)
      .map((x) => usesRegistered(x, registered))
      .find((x) => x !== undefined);
  return undefined;
}

export function refuseRunTimeValues(task: Task, registered: ReadonlySet<string>): void {
  if (registered.size === 0) return;
  for (const [k, v] of Object.entries(task.args)) {
    const r = usesRegistered(v, registered);
    if (r) throw runTime(task, `"${k}"`, task.argLocs?.[k] ?? task.moduleLoc ?? task.loc, `the registered result "${r}"`);
  }
  const r = usesRegistered(task.loop, registered);
  if (r)
    throw runTime(
      task,
      'loop',
      task.keyLocs.loop ?? task.keyLocs.with_items ?? task.keyLocs.with_first_found ?? task.loc,
      `the registered result "${r}"`,
    );
}
