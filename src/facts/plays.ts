import { InputError } from '../errors.js';
import { parseBool } from '../bool.js';
import type { Vars } from '../inventory/model.js';
import type { Play, Task } from '../playbook/model.js';
import { renderValue } from '../template/index.js';

const SETUP = /^(ansible\.(builtin|legacy)\.)?(setup|gather_facts)$/;

function hasSetup(tasks: readonly Task[]): boolean {
  return tasks.some((t) => SETUP.test(t.module));
}

/**
 * `gather_facts: "{{ expr }}"`, decided once per play from play vars and extra vars (what Ansible
 * has at that point: no host vars, no facts yet).
 */
export function gatherFactsOf(play: Play, extraVars: Vars): boolean {
  if (play.gatherFactsExpr === undefined) return play.gatherFacts;
  const v = renderValue(play.gatherFactsExpr, { ...play.vars, ...extraVars }, play.loc);
  const b = parseBool(v);
  if (b === undefined)
    throw new InputError(
      `play "${play.name}": gather_facts "${play.gatherFactsExpr}" gave ${JSON.stringify(v)}, not a boolean`,
      play.loc,
      'make the expression give true or false',
    );
  return b;
}

/**
 * Whether a play needs facts: gather_facts, or an explicit setup task (Ansible then gathers at
 * that task; chom-play gathers them all up front, in the same first round trip).
 */
export function playNeedsFacts(play: Play, extraVars: Vars = {}): boolean {
  return gatherFactsOf(play, extraVars) || hasSetup(play.tasks);
}
