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

/** `ansible_facts.NAME` / `ansible_facts['NAME']` for a name in the set. */
function factIn(text: string, names: ReadonlySet<string>): string | undefined {
  for (const m of text.matchAll(/ansible_facts\s*(?:\.\s*|\[\s*['"])([A-Za-z_][A-Za-z0-9_]*)/g)) if (names.has(m[1])) return m[1];
  return undefined;
}

function firstUse(v: unknown, registered: ReadonlySet<string>): string | undefined {
  if (typeof v === 'string') return namesIn(v, registered)[0] ?? factIn(v, registered);
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
export function refuseRuntimeValues(task: Task, registered: ReadonlySet<string>, hostFacts: ReadonlySet<string> = new Set()): void {
  for (const [what, e] of [
    ...task.when.map((w) => ['when', w] as const),
    ['changed_when', task.changedWhen] as const,
    ['failed_when', task.failedWhen] as const,
  ]) {
    if (typeof e !== 'string' || hostFacts.size === 0) continue;
    const n = namesIn(e.includes('{{') ? e : `{{ ${e} }}`, hostFacts)[0] ?? factIn(e, hostFacts);
    if (n) {
      throw new InputError(
        `task "${task.name}": ${what} uses "${n}", a fact an earlier getent task sets on the host at run time: it needs a run-time value; not supported yet`,
        task.keyLocs[what] ?? task.loc,
        `register the getent task (register: NAME) and use the task's failure instead (fail_key), or decide it before the run`,
      );
    }
  }
  const runtime = new Set([...registered, ...hostFacts]);
  if (runtime.size === 0) return;
  const exprs = getModule(task.module)?.expressions ?? {};
  const conditionArgs = Object.keys(exprs).filter((a) => exprs[a] === 'condition');
  const refuse = (what: string, name: string, loc: SourceLoc | undefined): never => {
    throw new InputError(
      `task "${task.name}": ${what} uses "${name}", ${registered.has(name) ? 'registered' : 'set as a fact'} at run time by an earlier task: it needs a run-time value; not supported yet (only conditions - when, changed_when, failed_when, until, assert's that - can use registered values)`,
      loc ?? task.loc,
      `decide it with a condition instead (e.g. two tasks with when: ${name}...), or compute the value before the run`,
    );
  };
  for (const [arg, v] of Object.entries(task.args)) {
    if (conditionArgs.includes(arg)) continue;
    const n = firstUse(v, runtime);
    if (n) refuse(`argument "${arg}"`, n, task.argLocs?.[arg] ?? task.moduleLoc);
  }
  const inLoop = firstUse(task.loop, runtime);
  if (inLoop) refuse('loop', inLoop, task.keyLocs.loop ?? task.keyLocs.with_items);
  const inVars = firstUse(task.vars, runtime);
  if (inVars) refuse('vars', inVars, task.keyLocs.vars);
}

/** Facts a task sets on the host at run time (getent's getent_DATABASE), when its database is literal. */
export function hostFactsOf(task: Task): string[] {
  const db = task.args.database;
  return task.module === 'getent' && typeof db === 'string' && /^[a-z_]+$/.test(db) ? [`getent_${db}`] : [];
}
