import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError, type ModuleDef } from './types.js';

/**
 * Ansible's assert: every condition of `that` must hold, else the host fails with fail_msg (msg)
 * naming the first false one. Conditions on variables and facts are decided by the planner; those
 * on registered results become bash tests (src/plan/exprs.ts turns `that` into 'true' / 'false' /
 * bash before compile). Runs in check mode too, as in Ansible.
 */
const mod = defineModule({
  name: 'assert',
  args: {
    that: { type: 'raw', required: true },
    that_text: { type: 'raw' },
    fail_msg: { type: 'str', aliases: ['msg'] },
    success_msg: { type: 'str', default: 'All assertions passed' },
    quiet: { type: 'bool', default: false },
  },
  compile: (p) => {
    const conds = Array.isArray(p.that) ? p.that.map(String) : [String(p.that)];
    const texts = Array.isArray(p.that_text) ? p.that_text.map(String) : conds;
    if (conds.length === 0) throw new ModuleArgError('that needs at least one condition', 'that');
    const L: string[] = [];
    conds.forEach((c, i) => {
      const why = p.fail_msg ?? `Assertion failed: ${texts[i] ?? c}`;
      if (c === 'true') return;
      if (c === 'false') L.push(`chom_fail ${quote(why)}`);
      else L.push(`if ! { ${c}; }; then chom_fail ${quote(why)}; fi`);
    });
    L.push(`chom_ok ${quote(p.quiet ? '' : p.success_msg)}`);
    return L.join('\n') + '\n';
  },
});
const assert: ModuleDef = { ...mod, expressions: { that: 'condition' } };
export default assert;
