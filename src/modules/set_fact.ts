import { quote } from '../shell/quote.js';
import type { ModuleDef } from './types.js';

/**
 * Ansible's set_fact. Its effect is on the controller: the planner (src/plan/set-fact.ts) renders
 * the values and adds them to the host's variables for later tasks; on the host the task only
 * reports ok. Any variable name is an argument; `cacheable` is accepted (there is no fact cache:
 * facts are gathered each run).
 */
const setFact: ModuleDef = {
  name: 'set_fact',
  schema: { type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
  compile: (args) =>
    `chom_ok ${quote(
      `set ${Object.keys(args)
        .filter((k) => k !== 'cacheable')
        .join(', ')}`,
    )}\n`,
};
export default setFact;
