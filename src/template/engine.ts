import Handlebars from 'handlebars';
import { InputError, suggest, type SourceLoc } from '../errors.js';
import type { TemplateContext } from './context.js';
import { helpers } from './helpers.js';
import { evalJinja, extractJinja } from './jinja.js';
import { errAt, TemplateError, type HelperOpts } from './template-error.js';

/**
 * The Handlebars setup: a private instance, strict mode, no HTML escaping, a compile cache.
 *
 * Strict mode alone is not enough: it throws on `{{a.b}}` when `a` is missing with a bare
 * TypeError and no line, and a helper argument (`{{default missing "x"}}`, `{{#if maybe}}`)
 * that traverses a missing object crashes the same way. So the parsed AST is rewritten
 * before compiling:
 *   - `{{a.b.c}}` (a value to print) becomes `{{__chom_out a "b" "c"}}`: a helper that walks
 *     own properties only and, when something is missing, throws with the line, the full
 *     name and a did-you-mean from the keys that exist at that level;
 *   - `a.b.c` used as an argument becomes `(__chom_get a "b" "c")`: the same walk, but a
 *     missing value is just undefined (so default/if/eq can test it).
 * The result is still compiled by Handlebars with strict: true, which keeps `{{missing}}`
 * inside blocks and unknown helpers as errors.
 */
const hb = Handlebars.create();
hb.registerHelper(helpers() as Record<string, Handlebars.HelperDelegate>);
const HELPERS = new Set(Object.keys(hb.helpers));
/** Helpers a user can call (not Handlebars' internals, not ours). */
const PUBLIC_HELPERS = [...HELPERS].filter((h) => !['helperMissing', 'blockHelperMissing', 'log'].includes(h)).sort();

type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;

function walk(v: unknown, keys: readonly string[]): { value: unknown; missingAt: number } {
  let cur = v;
  for (let i = 0; i < keys.length; i++) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, keys[i])) return { value: undefined, missingAt: i };
    cur = (cur as Record<string, unknown>)[keys[i]];
  }
  return { value: cur, missingAt: -1 };
}

function splitArgs(args: unknown[]): { head: unknown; keys: string[]; opts: HelperOpts } {
  const opts = args[args.length - 1] as HelperOpts;
  return { head: args[0], keys: args.slice(1, -1).map(String), opts };
}

function required(args: unknown[], self: unknown): unknown {
  const { head, keys, opts } = splitArgs(args);
  const name = String(opts.hash.name);
  const headName = name.split('.')[0].replace(/^@/, '');
  if (head === undefined) {
    const here = self !== null && typeof self === 'object' ? Object.keys(self) : [];
    const root = opts.data?.root;
    const top = root !== null && typeof root === 'object' ? Object.keys(root) : [];
    const guess = suggest(headName, new Set([...here, ...top]));
    throw errAt(opts, `variable "${headName}" is not defined`, guess && `did you mean "${guess}"?`);
  }
  const { value, missingAt } = walk(head, keys);
  if (missingAt >= 0) {
    const parent = walk(head, keys.slice(0, missingAt)).value;
    const shown = [headName, ...keys.slice(0, missingAt + 1)].join('.');
    if (parent === null || typeof parent !== 'object') {
      throw errAt(
        opts,
        `variable "${shown}" is not defined: "${[headName, ...keys.slice(0, missingAt)].join('.')}" is ${parent === null ? 'null' : `a ${typeof parent}`}, not a dictionary`,
      );
    }
    const guess = suggest(keys[missingAt], Object.keys(parent));
    throw errAt(opts, `variable "${shown}" is not defined`, guess && `did you mean "${shown.replace(/[^.]*$/, guess)}"?`);
  }
  if (value === undefined) throw errAt(opts, `variable "${name}" is not defined`);
  return value;
}

hb.registerHelper('__chom_get', (...args: unknown[]) => {
  const { head, keys } = splitArgs(args);
  return walk(head, keys).value;
});
hb.registerHelper('__chom_req', function (this: unknown, ...args: unknown[]) {
  return required(args, this);
});
hb.registerHelper('__chom_out', function (this: unknown, ...args: unknown[]) {
  const v = required(args, this);
  if (v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : v;
});
function jinja(index: number, opts: HelperOpts): unknown {
  const expr = (opts.data?.chomJinja as string[] | undefined)?.[index];
  if (typeof expr !== 'string') throw errAt(opts, 'unknown helper "__chom_jinja"');
  return evalJinja(expr, (opts.data?.root ?? {}) as Record<string, unknown>, opts);
}
hb.registerHelper('__chom_jinja', (index: number, opts: HelperOpts) => {
  const v = jinja(index, opts);
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : v;
});
hb.registerHelper('__chom_jinja_raw', jinja);
hb.registerHelper('__chom_capture', (...args: unknown[]) => {
  const opts = args[args.length - 1] as HelperOpts;
  (opts.data?.chomBox as { value: unknown }).value = args[0];
  return '';
});

function path(name: string, loc: hbs.AST.SourceLocation): Path {
  return { type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc };
}

/** `a.b.c` -> [head path `a`, "b", "c"] keeping depth (`../`), data (`@root`) and `this.` scoping. */
function headAndKeys(p: Path): Expr[] {
  const scoped = /^(\.|this\b)/.test(p.original) && p.depth === 0 && !p.data;
  const prefix = p.data ? '@' : p.depth > 0 ? '../'.repeat(p.depth) : scoped ? 'this.' : '';
  const head: Path = { ...p, parts: [p.parts[0]], original: prefix + p.parts[0] };
  const keys = p.parts.slice(1).map((k): hbs.AST.StringLiteral => ({ type: 'StringLiteral', value: k, original: k, loc: p.loc }));
  return [head, ...keys];
}

function nameHash(p: Path): hbs.AST.Hash {
  const value: hbs.AST.StringLiteral = { type: 'StringLiteral', value: p.original, original: p.original, loc: p.loc };
  return { type: 'Hash', pairs: [{ type: 'HashPair', key: 'name', value, loc: p.loc }], loc: p.loc };
}

function isPath(e: Node): e is Path {
  return e.type === 'PathExpression';
}

/** A path that names a variable (not `this`, not `@index`, not a helper called without args). */
function isVariable(p: Path): boolean {
  if (p.parts.length === 0) return false;
  if (p.parts.length === 1) return !p.data && !(HELPERS.has(p.parts[0]) && p.depth === 0 && !/^(\.|this\b)/.test(p.original));
  return true;
}

/** `{{name arg}}` / `(name arg)` / `{{#name arg}}`: name must be a helper (checked before any host). */
function checkHelper(p: Node, hasArgs: boolean): void {
  if (!hasArgs || !isPath(p) || p.parts.length !== 1 || p.data || HELPERS.has(p.parts[0]) || p.parts[0] === '__chom_jinja') return;
  const guess = suggest(p.parts[0], PUBLIC_HELPERS);
  throw new TemplateError(
    `unknown helper "${p.original}"`,
    p.loc.start.line,
    p.loc.start.column + 1,
    guess ? `did you mean "${guess}"?` : `helpers: ${PUBLIC_HELPERS.join(', ')}`,
  );
}

function hasArgs(n: { params: Expr[]; hash?: hbs.AST.Hash }): boolean {
  return n.params.length > 0 || (n.hash !== undefined && n.hash.pairs.length > 0);
}

function expr(e: Expr): Expr {
  if (isPath(e) && e.parts.length > 1) {
    const sub: hbs.AST.SubExpression = {
      type: 'SubExpression',
      path: path('__chom_get', e.loc),
      params: headAndKeys(e),
      hash: nameHash(e),
      loc: e.loc,
    };
    return sub;
  }
  if (e.type === 'SubExpression') {
    const s = e as hbs.AST.SubExpression;
    checkHelper(s.path, true);
    return { ...s, params: s.params.map(expr), hash: hash(s.hash) } as hbs.AST.SubExpression;
  }
  return e;
}

function hash(h: hbs.AST.Hash | undefined): hbs.AST.Hash {
  if (!h) return h as unknown as hbs.AST.Hash;
  return { ...h, pairs: h.pairs.map((p) => ({ ...p, value: expr(p.value) })) };
}

function program(p: hbs.AST.Program | undefined): hbs.AST.Program {
  if (!p) return p as unknown as hbs.AST.Program;
  return { ...p, body: p.body.map(statement) };
}

function statement(s: hbs.AST.Statement): hbs.AST.Statement {
  if (s.type === 'MustacheStatement') {
    const m = s as hbs.AST.MustacheStatement;
    const noArgs = m.params.length === 0 && (!m.hash || m.hash.pairs.length === 0);
    if (noArgs && isPath(m.path) && isVariable(m.path)) {
      return {
        ...m,
        path: path('__chom_out', m.path.loc),
        params: headAndKeys(m.path),
        hash: nameHash(m.path),
      } as hbs.AST.MustacheStatement;
    }
    checkHelper(m.path, hasArgs(m));
    return { ...m, params: m.params.map(expr), hash: hash(m.hash) } as hbs.AST.MustacheStatement;
  }
  if (s.type === 'BlockStatement') {
    const b = s as hbs.AST.BlockStatement;
    checkHelper(b.path, hasArgs(b));
    return {
      ...b,
      params: b.params.map(expr),
      hash: hash(b.hash),
      program: program(b.program),
      inverse: program(b.inverse),
    } as hbs.AST.BlockStatement;
  }
  return s;
}

/** If the whole text is one `{{ expr }}`, the expression whose raw value it stands for. */
function singleExpression(ast: hbs.AST.Program): Expr | undefined {
  if (ast.body.length !== 1 || ast.body[0].type !== 'MustacheStatement') return undefined;
  const m = ast.body[0] as hbs.AST.MustacheStatement;
  const hasArgs = m.params.length > 0 || (m.hash && m.hash.pairs.length > 0);
  if (!isPath(m.path)) return hasArgs ? undefined : (m.path as Expr);
  if (!hasArgs && isVariable(m.path)) {
    const sub: hbs.AST.SubExpression = {
      type: 'SubExpression',
      path: path('__chom_req', m.loc),
      params: headAndKeys(m.path),
      hash: nameHash(m.path),
      loc: m.loc,
    };
    return sub;
  }
  if (!hasArgs && m.path.parts.length === 0) return m.path;
  const name = m.path.original === '__chom_jinja' ? path('__chom_jinja_raw', m.path.loc) : m.path;
  const sub: hbs.AST.SubExpression = { type: 'SubExpression', path: name, params: m.params.map(expr), hash: hash(m.hash), loc: m.loc };
  return sub;
}

export interface Compiled {
  /** Renders to text. */
  text: Handlebars.TemplateDelegate;
  /** Set when the source is exactly one `{{ expr }}`: renders and captures the raw value. */
  raw?: Handlebars.TemplateDelegate;
  /** Ansible-style `{{ x | filter }}` expressions, referenced by index from the template. */
  jinja: string[];
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;
const OPTIONS: CompileOptions = { strict: true, noEscape: true };
type CompileOptions = Parameters<typeof hb.compile>[1];

/** Same text -> same compiled functions, whoever asks (every host shares the work). */
export function compileText(text: string): Compiled {
  const hit = cache.get(text);
  if (hit) return hit;
  const { text: hbsText, exprs } = extractJinja(text);
  const ast = hb.parse(hbsText);
  const out: Compiled = { text: hb.compile(program(ast), OPTIONS), jinja: exprs };
  const single = hbsText.startsWith('{{') ? singleExpression(ast) : undefined;
  if (single) {
    const capture: hbs.AST.MustacheStatement = {
      type: 'MustacheStatement',
      path: path('__chom_capture', single.loc),
      params: [single],
      hash: { type: 'Hash', pairs: [], loc: single.loc },
      escaped: false,
      strip: { open: false, close: false },
      loc: single.loc,
    };
    out.raw = hb.compile({ ...ast, body: [capture] }, OPTIONS);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, out);
  return out;
}

/** Where a template text came from, to turn an error inside it into file:line:col. */
export interface Origin {
  /** A template file: lines of the error are lines of the file. */
  file?: string;
  /** A string value inside YAML: errors point at the task/var that holds it. */
  loc?: SourceLoc;
}

export function toInputError(err: unknown, text: string, origin: Origin): Error {
  if (err instanceof InputError) return err;
  let line: number | undefined;
  let col: number | undefined;
  let msg: string;
  let hint: string | undefined;
  if (err instanceof TemplateError) {
    ({ line, col } = err);
    msg = err.message;
    hint = err.hint;
  } else if (err instanceof Error) {
    const e = err as Error & { lineNumber?: number; column?: number };
    line = e.lineNumber ?? Number(/on line (\d+)/.exec(e.message)?.[1] ?? NaN);
    if (Number.isNaN(line)) line = undefined;
    col = e.column === undefined ? undefined : e.column + 1;
    const notDefined = /^"(.+)" not defined in/.exec(e.message);
    msg = notDefined
      ? `variable "${notDefined[1]}" is not defined`
      : e.message.startsWith('Parse error')
        ? `template syntax error${parseDetail(e.message)}`
        : e.message.replace(/ - \d+:\d+$/, '');
  } else {
    msg = String(err);
  }
  if (origin.file !== undefined) {
    return new InputError(msg, { file: origin.file, line: line ?? 1, col: col ?? 1 }, hint);
  }
  const lines = text.split('\n');
  const where = lines.length > 1 && line !== undefined ? ` (line ${line} of the value)` : '';
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  // A `{{ expr | filter }}` error already quotes its mustache; when that is the whole value, once is enough.
  if (msg.startsWith(`in ${text}:`)) return new InputError(msg, origin.loc, hint);
  return new InputError(`${msg} in "${shown}"${where}`, origin.loc, hint);
}

/** Handlebars' parse errors list every token it expected; keep the excerpt, caret and what it got. */
function parseDetail(message: string): string {
  const lines = message.split('\n').slice(1);
  const got = /got '([^']+)'/.exec(message)?.[1];
  const excerpt = lines.filter((l) => !l.startsWith('Expecting')).join('\n');
  return `${got ? ` (unexpected ${got === 'EOF' ? 'end of template' : got})` : ''}:\n${excerpt}`;
}

export interface RenderData {
  chomCtx?: TemplateContext;
  chomBox?: { value: unknown };
  chomJinja?: string[];
}

export function runText(text: string, vars: object, origin: Origin, ctx?: TemplateContext): string {
  try {
    const c = compileText(text);
    return c.text(vars, { data: { chomCtx: ctx, chomJinja: c.jinja } satisfies RenderData });
  } catch (err) {
    throw toInputError(err, text, origin);
  }
}

/** The raw value when text is a single `{{ expr }}`, else the rendered string. */
export function runValue(text: string, vars: object, origin: Origin, ctx?: TemplateContext): unknown {
  try {
    const c = compileText(text);
    if (!c.raw) return c.text(vars, { data: { chomCtx: ctx, chomJinja: c.jinja } satisfies RenderData });
    const box = { value: undefined as unknown };
    c.raw(vars, { data: { chomCtx: ctx, chomBox: box, chomJinja: c.jinja } satisfies RenderData });
    return box.value;
  } catch (err) {
    throw toInputError(err, text, origin);
  }
}

export const helperNames: ReadonlySet<string> = HELPERS;
