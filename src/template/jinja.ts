import type { Vars } from '../inventory/model.js';
import { evaluate } from './expr/evaluate.js';
import { ExprError } from './expr/lexer.js';
import { parse } from './expr/parser.js';
import { evalJinjaExpr, J2Error } from './jinja2/index.js';
import { errAt, type HelperOpts } from './template-error.js';

/**
 * Ansible playbooks are full of `{{ name | default('x') }}` and `{{ x | int }}`. Handlebars
 * never uses `|` inside a plain mustache, so such a mustache is unambiguous: it is replaced by
 * `{{__chom_jinja N}}` and the expression (the `when:` language: paths, literals, filters,
 * comparisons) is evaluated against the variables when rendered. No eval, same parser as
 * conditions; registered results are not available here (they only exist on the host).
 */
export function extractJinja(text: string): { text: string; exprs: string[] } {
  const exprs: string[] = [];
  let out = '';
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    const close = findClose(text, open + 2);
    if (close < 0) break;
    const inner = text.slice(open + 2, close);
    if (isJinja(inner)) {
      out += `${text.slice(i, open)}{{__chom_jinja ${exprs.length}}}`;
      exprs.push(inner);
    } else out += text.slice(i, close + 2);
    i = close + 2;
  }
  return { text: out + text.slice(i), exprs };
}

/** Index of the `}}` ending a mustache opened before `from`, skipping quoted strings. */
function findClose(text: string, from: number): number {
  let q: string | undefined;
  for (let j = from; j < text.length - 1; j++) {
    const c = text[j];
    if (q) {
      if (c === '\\') j++;
      else if (c === q) q = undefined;
    } else if (c === "'" || c === '"') q = c;
    else if (c === '}' && text[j + 1] === '}') return j;
    else if (c === '{' && text[j + 1] === '{') return -1;
  }
  return -1;
}

/**
 * Outside quotes, Jinja-only syntax: filters, `~`, `x[i]`, calls, operators, inline if, a list
 * literal (`[a]`: Handlebars' `[name]` segment literal is not worth the ambiguity in playbooks).
 * Handlebars names may contain `-`, so only a spaced ` - ` is a subtraction; `<`, `>`, `%` and
 * `//` never occur inside a Handlebars mustache (a leading `>` is a partial, excluded below).
 */
const JINJA_ONLY = /[|~*+%<>]|\/\/|\s\/\s|\s-\s|^\s*\[|[\w\])]\[|\w\(|[=!]=|\s(?:if|else|and|or|not|is|in)\s|^\s*not\s/;

function isJinja(inner: string): boolean {
  // `{{ {` (a space first) is a Jinja dict literal; `{{{` is Handlebars' unescaped output.
  // True/False/None are Jinja literals (Ansible variables cannot have those names).
  if (/^\s+\{/.test(inner) || /^\s*(?:True|False|None)\s*$/.test(inner)) return true;
  if (/^\s*[#/^>!&{~*]/.test(inner) || /~\s*$/.test(inner) || /^\s*else\b/.test(inner)) return false;
  let q: string | undefined;
  let bare = '';
  for (let j = 0; j < inner.length; j++) {
    const c = inner[j];
    if (q) {
      if (c === '\\') j++;
      else if (c === q) q = undefined;
    } else if (c === "'" || c === '"') {
      q = c;
      bare += ' ';
    } else bare += c;
  }
  return JINJA_ONLY.test(bare);
}

const NOTHING: ReadonlySet<string> = new Set();

/**
 * The `when:` language first (its messages are the ones users know); what it does not have
 * (most filters, tests, lookups, `~`, inline if, methods) goes to the Jinja2 engine of .j2
 * templates, so playbook values and templates share one filter library.
 */
export function evalJinja(expr: string, vars: Vars, opts: HelperOpts | undefined): unknown {
  try {
    const v = evaluate(parse(expr), { vars, registered: NOTHING });
    if (v.k === 'known') return v.v;
    if (v.k === 'undef')
      throw new ExprError(`variable "${v.name}" is not defined`, v.pos, v.end, 'use | default(...) for an optional variable');
    throw new ExprError('registered results are only known on the host; use them in when/changed_when/failed_when', 0, expr.length);
  } catch (err) {
    if (!(err instanceof ExprError)) throw err;
    const full = fullJinja(expr, vars, err);
    if (full.ok) return full.value;
    throw errAt(opts, `in {{${expr}}}: ${full.message}`, full.hint);
  }
}

/** Evaluates with the full engine; on failure, the clearer of the two messages. */
export function fullJinja(
  expr: string,
  vars: Vars,
  first: ExprError,
): { ok: true; value: unknown } | { ok: false; message: string; hint?: string } {
  try {
    return { ok: true, value: evalJinjaExpr(expr, vars) };
  } catch (e) {
    if (!(e instanceof J2Error)) throw e;
    // The first parser's "unknown filter"/syntax verdicts are about its smaller language.
    if (/^unknown (filter|test)|^unexpected|^expected/.test(first.message)) return { ok: false, message: e.message, hint: e.hint };
    return { ok: false, message: first.message, hint: first.hint };
  }
}
