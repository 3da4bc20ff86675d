import type { Play, Task } from '../playbook/model.js';

const SETUP = /^(ansible\.(builtin|legacy)\.)?(setup|gather_facts)$/;

function hasSetup(tasks: readonly Task[]): boolean {
  return tasks.some((t) => SETUP.test(t.module));
}

/**
 * Whether a play needs facts: gather_facts, or an explicit setup task (Ansible then gathers at
 * that task; chom-play gathers them all up front, in the same first round trip).
 */
export function playNeedsFacts(play: Play): boolean {
  if (play.gatherFacts) return true;
  return hasSetup(play.tasks);
}
