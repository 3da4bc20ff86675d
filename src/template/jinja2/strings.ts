import type { Stmt } from './ast.js';
import { evalExpr, Frame } from './evaluator.js';
import { ExprParser } from './expr.js';
import { makeGlobals } from './globals.js';
import { lexExpr } from './lexer.js';
import { parseTemplate } from './parser.js';
import { Renderer, type Loader } from './render.js';
import { isDict, J2Error, need, type Dict } from './values.js';

/**
 * Jinja2 in playbook values (`"{{ x | default(1) }}"`, `when:`): the same engine and filter
 * library as .j2 files. A value that is exactly one `{{ expr }}` keeps its type, as Ansible
 * (which converts the text back) does; anything else renders to a string.
 */
const parsed = new Map<string, Stmt[]>();
const NO_FILES: Loader = {
  load: () => undefined,
  within: (_p, fn) => fn(),
};

function globalsFor(vars: Dict): Dict {
  return makeGlobals({
    fileDirs: [],
    vars,
    renderTemplate: (_n, pos) => {
      throw new J2Error("lookup('template') is only available in template files", pos);
    },
  });
}

/** One expression (without braces) against vars: its value. `base` offsets error positions. */
export function evalJinjaExpr(src: string, vars: Dict, base = 0): unknown {
  const p = new ExprParser(lexExpr(src, base));
  const e = p.tuple();
  p.expectEnd();
  return need(evalExpr(e, new Frame(undefined, vars, globalsFor(vars))), e.pos);
}

const SINGLE = /^\{\{(?:(?!\{\{|\}\}|\{%|\{#)[\s\S])*\}\}$/;

export function renderJinjaString(text: string, vars: Dict): unknown {
  if (SINGLE.test(text)) return evalJinjaExpr(text.slice(2, -2), vars, 2);
  let stmts = parsed.get(text);
  if (!stmts) {
    stmts = parseTemplate(text, { trimBlocks: true, lstripBlocks: false });
    if (parsed.size > 5000) parsed.clear();
    parsed.set(text, stmts);
  }
  const out: string[] = [];
  new Renderer(NO_FILES, '<string>').run(stmts, new Frame(undefined, vars, globalsFor(vars)), out);
  return out.join('');
}

function hasTemplate(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('{{') || v.includes('{%');
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  return Object.values(v).some((x) => hasTemplate(x, depth + 1));
}

function renderDeep(v: unknown, view: Dict): unknown {
  if (typeof v === 'string') return v.includes('{{') || v.includes('{%') ? renderJinjaString(v, view) : v;
  if (Array.isArray(v)) return v.map((x) => renderDeep(x, view));
  if (isDict(v)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) out[k] = renderDeep(x, view);
    return out;
  }
  return v;
}

/**
 * Variables as Ansible resolves them: lazily. A var whose value holds a template is rendered
 * when first read (then cached); one that is never used never fails. A cycle is an error.
 */
export function lazyVars(vars: Dict): Dict {
  const view: Dict = {};
  const done = new Map<string, unknown>();
  const active = new Set<string>();
  for (const k of Object.keys(vars)) {
    if (!hasTemplate(vars[k])) {
      view[k] = vars[k];
      continue;
    }
    Object.defineProperty(view, k, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (done.has(k)) return done.get(k);
        if (active.has(k)) throw new J2Error(`variable "${k}" refers to itself`, -1);
        active.add(k);
        try {
          const v = renderDeep(vars[k], view);
          done.set(k, v);
          return v;
        } finally {
          active.delete(k);
        }
      },
    });
  }
  return view;
}
