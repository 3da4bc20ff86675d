import { InputError } from '../errors.js';
import { getModule } from '../modules/index.js';
import type { Task } from '../playbook/model.js';
import type { SourceLoc } from '../types.js';

/**
 * A value registered at run time (`register: st`) is known only on the host, after its task
 * ran. Conditions over it compile to bash (src/template/expr/dynamic.ts); an ARGUMENT, `loop`
 * or task var that templates it would need the plan split at that point (issue 12 item 3),
 * which chom-play does not do yet. This finds such a use before anything renders, so the user
 * gets where and why instead of "undefined variable".
 */
const BLOCK = /\{\{([\s\S]*?)\}\}|\{%([\s\S]*?)%\}/g;
const IDENT = /(?<![.\w'"])([A-Za-z_][A-Za-z0-9_]*)/g;

/** Registered names a template text uses as variables (not attribute names, not inside quotes: a good guess). */
function namesIn(text: string, registered: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const inner = (m[1] ?? m[2] ?? '').replace(/'[^']*'|"[^"]*"/g, "''");
    for (const id of inner.matchAll(IDENT)) if (registered.has(id[1]) && !found.includes(id[1])) found.push(id[1]);
  }
  return found;
}

function firstUse(v: unknown, registered: ReadonlySet<string>): string | undefined {
  if (typeof v === 'string') return namesIn(v, registered)[0];
  if (Array.isArray(v)) {
    for (const x of v) {
      const n = firstUse(x, registered);
      if (n) return n;
    }
  } else if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) {
      const n = firstUse(x, registered);
      if (n) return n;
    }
  }
  return undefined;
}

/**
 * Throws at the argument's file:line:col when a task's arguments, loop or vars template a value
 * registered by an earlier task. Arguments the module itself evaluates as conditions (assert's
 * `that`) compile to bash and are left out.
 */
export function refuseRuntimeValues(task: Task, registered: ReadonlySet<string>): void {
  if (registered.size === 0) return;
  const exprs = getModule(task.module)?.expressions ?? {};
  const conditionArgs = Object.keys(exprs).filter((a) => exprs[a] === 'condition');
  const refuse = (what: string, name: string, loc: SourceLoc | undefined): never => {
    throw new InputError(
      `task "${task.name}": ${what} uses "${name}", registered at run time by an earlier task: it needs a run-time value; not supported yet (only conditions - when, changed_when, failed_when, until, assert's that - can use registered values)`,
      loc ?? task.loc,
      `decide it with a condition instead (e.g. two tasks with when: ${name}...), or compute the value before the run`,
    );
  };
  for (const [arg, v] of Object.entries(task.args)) {
    if (conditionArgs.includes(arg)) continue;
    const n = firstUse(v, registered);
    if (n) refuse(`argument "${arg}"`, n, task.argLocs?.[arg] ?? task.moduleLoc);
  }
  const inLoop = firstUse(task.loop, registered);
  if (inLoop) refuse('loop', inLoop, task.keyLocs.loop ?? task.keyLocs.with_items);
  const inVars = firstUse(task.vars, registered);
  if (inVars) refuse('vars', inVars, task.keyLocs.vars);
}
