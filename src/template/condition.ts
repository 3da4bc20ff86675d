import { InputError, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import { evaluate } from './expr/evaluate.js';
import { ExprError } from './expr/lexer.js';
import { parse } from './expr/parser.js';
import { fullJinja } from './jinja.js';

export type Condition = { kind: 'const'; value: boolean } | { kind: 'bash'; code: string };

const REG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A `when:` / `changed_when:` / `failed_when:` expression, decided now when it depends only
 * on variables and facts, otherwise compiled to a bash condition (exit status) over the
 * chom_r_NAME_* variables of registered results. Never uses eval: a tokenizer, a
 * recursive-descent parser and a partial evaluator (src/template/expr/).
 * `{{ ... }}` around the whole expression is accepted, as Ansible does (with a warning there).
 */
export function compileCondition(expr: string | boolean, vars: Vars, registered: ReadonlySet<string>, loc: SourceLoc): Condition {
  if (typeof expr === 'boolean') return { kind: 'const', value: expr };
  if (typeof expr !== 'string')
    throw new InputError(`a condition must be a string or a boolean, got ${expr === null ? 'null' : typeof expr}`, loc);
  for (const r of registered) {
    if (!REG_NAME.test(r))
      throw new InputError(`register name "${r}" is not valid: use letters, digits and _ (not starting with a digit)`, loc);
  }
  const { from, to } = innerRange(expr);
  try {
    const v = evaluate(parse(expr, from, to), { vars, registered });
    if (v.k === 'known') return { kind: 'const', value: truthyTop(v.v) };
    if (v.k === 'bool') return { kind: 'bash', code: v.code };
    if (v.k === 'reg') return { kind: 'const', value: true };
    if (v.k === 'int') return { kind: 'bash', code: `[[ ${v.w} -ne 0 ]]` };
    if (v.k === 'str' || v.k === 'lines') return { kind: 'bash', code: `[[ -n ${v.w} ]]` };
    throw new ExprError(`variable "${v.name}" is not defined`, v.pos, v.end);
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    // Beyond the when: language (filters, tests, lookups, ~ ...): the Jinja2 engine decides it
    // now when it needs only variables; registered results stay with the bash compiler.
    const full = fullJinja(expr.slice(from, to), vars, err);
    if (full.ok) return { kind: 'const', value: truthyTop(full.value) };
    if (full.message !== err.message) throw new InputError(`condition: ${full.message}\n    ${expr.replace(/\n/g, ' ')}`, loc, full.hint);
    throw located(expr, err, loc);
  }
}

function truthyTop(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** `{{ expr }}` -> the range of expr, so error carets still point into the original text. */
function innerRange(expr: string): { from: number; to: number } {
  const m = /^(\s*\{\{)([\s\S]*)\}\}\s*$/.exec(expr);
  if (!m || m[2].includes('{{') || m[2].includes('}}')) return { from: 0, to: expr.length };
  return { from: m[1].length, to: m[1].length + m[2].length };
}

function located(expr: string, err: ExprError, loc: SourceLoc): InputError {
  const oneLine = expr.replace(/\n/g, ' ');
  const width = Math.max(1, Math.min(err.end, expr.length) - err.pos);
  const caret = `${' '.repeat(err.pos)}${'^'.repeat(width)}`;
  return new InputError(`condition: ${err.message} (column ${err.pos + 1})\n    ${oneLine}\n    ${caret}`, loc, err.hint);
}
