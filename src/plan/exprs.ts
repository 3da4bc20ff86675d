import type { SourceLoc } from '../types.js';
import type { Vars } from '../inventory/model.js';
import type { ModuleDef } from '../modules/types.js';
import { compileCondition, renderValue, type TemplateContext } from '../template/index.js';

/**
 * Arguments that are Jinja expressions rather than values (assert's `that`, debug's `var`),
 * resolved here so modules stay pure. The planner passes the task's RAW arguments: Ansible
 * evaluates `that: x is defined` itself, it is never templated first.
 *   condition: each entry becomes 'true', 'false' or a bash test over registered results;
 *   value:     the expression's value now, as JSON text (what debug prints).
 */
export function resolveExpressionArgs(
  mod: ModuleDef,
  params: Vars,
  rawArgs: Vars,
  vars: Vars,
  registered: ReadonlySet<string>,
  loc: SourceLoc,
  tmpl: TemplateContext,
): Vars {
  if (!mod.expressions) return params;
  const out: Vars = { ...params };
  for (const [arg, kind] of Object.entries(mod.expressions)) {
    const raw = rawArgs[arg];
    if (raw === undefined || raw === null) continue;
    if (kind === 'condition') {
      const list = Array.isArray(raw) ? raw : [raw];
      out[arg] = list.map((e) => {
        const c = compileCondition(typeof e === 'boolean' ? e : String(e), vars, registered, loc);
        return c.kind === 'const' ? String(c.value) : c.code;
      });
      out[`${arg}_text`] = list.map((e) => String(e));
    } else {
      const expr = String(raw).trim();
      let v: unknown;
      try {
        v = renderValue(expr.includes('{{') ? expr : `{{ ${expr} }}`, vars, loc, tmpl);
      } catch {
        v = 'VARIABLE IS NOT DEFINED!';
      }
      out[arg] = JSON.stringify({ [expr]: v });
    }
  }
  return out;
}
