import type { Expr } from './ast.js';
import { callMethod, hasMethod } from './methods.js';
import { filterFn, TAKES_UNDEFINED, testFn, TESTS_TAKE_UNDEFINED } from './registry.js';
import {
  Fn,
  tuple,
  isDict,
  isNumber,
  iter,
  J2Error,
  need,
  num,
  pyCmp,
  pyEq,
  PyFloat,
  pyStr,
  truthy,
  typeName,
  Undef,
  type Dict,
} from './values.js';

/** `namespace()`: the one object a template may assign attributes to (`{% set ns.x = 1 %}`). */
export class Namespace {
  constructor(readonly attrs: Dict) {}
}

/** Variables: the template's own (set/for/macro args) in a frame chain, then the task's. */
export class Frame {
  readonly vars = new Map<string, unknown>();
  constructor(
    readonly parent: Frame | undefined,
    readonly root: Dict,
    readonly globals: Dict,
  ) {}
  lookup(name: string): unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk up the frame chain starts at this frame
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.vars.has(name)) return f.vars.get(name);
    if (Object.hasOwn(this.root, name)) return this.root[name];
    if (Object.hasOwn(this.globals, name)) return this.globals[name];
    return NOT_FOUND;
  }
  child(): Frame {
    return new Frame(this, this.root, this.globals);
  }
}
const NOT_FOUND = Symbol('not found');

export function evalExpr(e: Expr, f: Frame): unknown {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'name': {
      const v = f.lookup(e.name);
      return v === NOT_FOUND ? new Undef(e.name, e.pos) : v;
    }
    case 'list':
    case 'tuple': {
      // An undefined item is kept (as Jinja2 does): `[a, b] | select('defined')` must work.
      const items = e.items.map((x) => evalExpr(x, f));
      return e.t === 'tuple' ? tuple(items) : items;
    }
    case 'dict': {
      const out: Dict = {};
      for (const [k, v] of e.pairs) out[keyOf(evalExpr(k, f), k.pos)] = evalExpr(v, f);
      return out;
    }
    case 'attr':
      return getAttr(evalExpr(e.obj, f), e.name, e.pos, exprName(e.obj));
    case 'item':
      return getItem(evalExpr(e.obj, f), defined(evalExpr(e.key, f), e.key.pos), e.pos, exprName(e.obj));
    case 'slice':
      return slice(e, f);
    case 'call':
      return call(e, f);
    case 'filter': {
      if (!e.e) throw new J2Error('filter without a value', e.pos);
      return applyFilter(
        e.name,
        evalExpr(e.e, f),
        e.args.map((a) => defined(evalExpr(a, f), a.pos)),
        kwargs(e.kwargs, f),
        e.pos,
      );
    }
    case 'test': {
      const r = applyTest(
        e.name,
        evalExpr(e.e, f),
        e.args.map((a) => defined(evalExpr(a, f), a.pos)),
        e.pos,
      );
      return e.neg ? !r : r;
    }
    case 'not':
      return !truthy(evalExpr(e.e, f), e.e.pos);
    case 'neg':
    case 'pos': {
      const v = defined(evalExpr(e.e, f), e.e.pos);
      const n = num(v, e.pos, 'a number after unary -');
      const r = e.t === 'neg' ? -n : n;
      return v instanceof PyFloat ? new PyFloat(r) : r;
    }
    case 'and': {
      const l = evalExpr(e.l, f);
      return truthy(l, e.l.pos) ? evalExpr(e.r, f) : l;
    }
    case 'or': {
      const l = evalExpr(e.l, f);
      return truthy(l, e.l.pos) ? l : evalExpr(e.r, f);
    }
    case 'bin':
      return binary(e.op, defined(evalExpr(e.l, f), e.l.pos), defined(evalExpr(e.r, f), e.r.pos), e.pos);
    case 'cmp': {
      let l = defined(evalExpr(e.first, f), e.first.pos);
      for (const [op, re] of e.ops) {
        const r = defined(evalExpr(re, f), re.pos);
        if (!compare(op, l, r, e.pos)) return false;
        l = r;
      }
      return true;
    }
    case 'cond':
      if (truthy(evalExpr(e.test, f), e.test.pos)) return evalExpr(e.yes, f);
      return e.no
        ? evalExpr(e.no, f)
        : new Undef('(inline if without else)', e.pos, 'the inline if has no else branch and its condition is false', true);
  }
}

export function defined(v: unknown, pos: number): unknown {
  need(v, pos);
  return v;
}

function keyOf(v: unknown, pos: number): string {
  const k = need(v, pos);
  if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') return String(k);
  throw new J2Error(`a dictionary key must be a string or a number, got ${typeName(v)}`, pos);
}

function kwargs(kw: [string, Expr][], f: Frame): Dict {
  const out: Dict = {};
  for (const [k, e] of kw) out[k] = defined(evalExpr(e, f), e.pos);
  return out;
}

export function exprName(e: Expr): string {
  if (e.t === 'name') return e.name;
  if (e.t === 'attr') return `${exprName(e.obj)}.${e.name}`;
  if (e.t === 'item') return `${exprName(e.obj)}[${e.key.t === 'lit' ? JSON.stringify(e.key.v) : '...'}]`;
  return 'value';
}

export function applyFilter(name: string, v: unknown, args: unknown[], kw: Dict, pos: number): unknown {
  const fn = filterFn(name, pos);
  if (!TAKES_UNDEFINED.has(name)) need(v, pos);
  return fn(v, args, kw, pos);
}

export function applyTest(name: string, v: unknown, args: unknown[], pos: number): boolean {
  const fn = testFn(name, pos);
  if (!TESTS_TAKE_UNDEFINED.has(name)) need(v, pos);
  return fn(v, args, pos);
}

/** Jinja2's getattr: attribute (method) first, then item; missing -> undefined. */
export function getAttr(obj: unknown, name: string, pos: number, objName: string): unknown {
  if (obj instanceof Undef) return new Undef(`${obj.name}.${name}`, obj.pos, obj.why);
  if (obj instanceof Fn && obj.attrs && Object.hasOwn(obj.attrs, name)) return obj.attrs[name];
  if (obj instanceof Namespace) return Object.hasOwn(obj.attrs, name) ? obj.attrs[name] : new Undef(`${objName}.${name}`, pos);
  if (hasMethod(obj, name)) return new Fn(name, (args, kw, p) => callMethod(obj, name, args, kw, p));
  if (isDict(obj) && Object.hasOwn(obj, name)) return obj[name];
  return new Undef(`${objName}.${name}`, pos, `"${objName}" (${typeName(obj)}) has no attribute "${name}"`);
}

/** Jinja2's getitem: item first, then attribute. */
export function getItem(obj: unknown, key: unknown, pos: number, objName: string): unknown {
  if (obj instanceof Undef) return new Undef(`${obj.name}[${pyStr(key)}]`, obj.pos, obj.why);
  const k = key instanceof PyFloat ? key.v : key;
  if ((Array.isArray(obj) || typeof obj === 'string') && typeof k === 'number' && Number.isInteger(k)) {
    const i = k < 0 ? obj.length + k : k;
    if (i >= 0 && i < obj.length) return obj[i];
    return new Undef(`${objName}[${k}]`, pos, `index ${k} is out of range for "${objName}" (length ${obj.length})`);
  }
  if (isDict(obj) && (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') && Object.hasOwn(obj, String(k)))
    return obj[String(k)];
  if (typeof k === 'string') return getAttr(obj, k, pos, objName);
  return new Undef(`${objName}[${pyStr(k)}]`, pos, `"${objName}" has no item ${pyStr(k)}`);
}

function slice(e: Expr & { t: 'slice' }, f: Frame): unknown {
  const obj = defined(evalExpr(e.obj, f), e.obj.pos);
  const part = (x: Expr | undefined): number | undefined => {
    if (!x) return undefined;
    const v = need(evalExpr(x, f), x.pos);
    return v === null ? undefined : num(v, x.pos, 'an integer slice index');
  };
  const seq = typeof obj === 'string' ? [...obj] : Array.isArray(obj) ? obj : undefined;
  if (!seq) throw new J2Error(`cannot slice ${typeName(obj)}`, e.pos);
  const out = pySlice(seq, part(e.start), part(e.stop), part(e.step), e.pos);
  return typeof obj === 'string' ? out.join('') : out;
}

export function pySlice<T>(seq: T[], start: number | undefined, stop: number | undefined, step: number | undefined, pos: number): T[] {
  const st = step ?? 1;
  if (st === 0) throw new J2Error('slice step cannot be zero', pos);
  const n = seq.length;
  const norm = (x: number | undefined, d: number): number => {
    if (x === undefined) return d;
    if (x < 0) return Math.max(st < 0 ? -1 : 0, n + x);
    return Math.min(x, st < 0 ? n - 1 : n);
  };
  const a = norm(start, st < 0 ? n - 1 : 0);
  const b = norm(stop, st < 0 ? -1 : n);
  const out: T[] = [];
  for (let i = a; st > 0 ? i < b : i > b; i += st) out.push(seq[i]);
  return out;
}

function call(e: Expr & { t: 'call' }, f: Frame): unknown {
  const fn = evalExpr(e.fn, f);
  if (fn instanceof Undef) {
    if (e.fn.t === 'attr') throw new J2Error(`${fn.why ?? `"${fn.name}" is not defined`}: cannot call it`, e.pos);
    throw new J2Error(
      `unknown function "${fn.name}"`,
      e.fn.pos,
      'functions: lookup, query, range, dict, namespace, now, and macros defined in the template',
    );
  }
  if (!(fn instanceof Fn)) throw new J2Error(`${exprName(e.fn)} (${typeName(fn)}) is not callable`, e.pos);
  return fn.f(
    e.args.map((a) => defined(evalExpr(a, f), a.pos)),
    kwargs(e.kwargs, f),
    e.pos,
  );
}

function isStrLike(v: unknown): v is string {
  return typeof v === 'string';
}

export function binary(op: string, lv: unknown, rv: unknown, pos: number): unknown {
  const l = lv instanceof PyFloat ? lv.v : lv;
  const r = rv instanceof PyFloat ? rv.v : rv;
  // A non-integral JS number came from a float; YAML's `2.0` is lost as 2 (see README).
  const float =
    lv instanceof PyFloat ||
    rv instanceof PyFloat ||
    (typeof l === 'number' && !Number.isInteger(l)) ||
    (typeof r === 'number' && !Number.isInteger(r));
  const wrap = (n: number): unknown => (float ? new PyFloat(n) : n);
  if (op === '~') return pyStr(l) + pyStr(r);
  if (op === '+') {
    if (isStrLike(l) && isStrLike(r)) return l + r;
    if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
  }
  if (op === '*') {
    if (isStrLike(l) && typeof r === 'number') return l.repeat(Math.max(0, r));
    if (Array.isArray(l) && typeof r === 'number') return Array.from({ length: Math.max(0, r) }, () => l).flat();
  }
  if (op === '%' && isStrLike(l)) return percentFormat(l, Array.isArray(r) ? r : [r], pos);
  if (!(isNumber(lv) || typeof l === 'boolean') || !(isNumber(rv) || typeof r === 'boolean')) {
    throw new J2Error(`unsupported operand types for ${op}: ${typeName(lv)} and ${typeName(rv)}`, pos);
  }
  const a = Number(l);
  const b = Number(r);
  switch (op) {
    case '+':
      return wrap(a + b);
    case '-':
      return wrap(a - b);
    case '*':
      return wrap(a * b);
    case '/':
      if (b === 0) throw new J2Error('division by zero', pos);
      return new PyFloat(a / b);
    case '//':
      if (b === 0) throw new J2Error('integer division by zero', pos);
      return wrap(Math.floor(a / b));
    case '%':
      if (b === 0) throw new J2Error('modulo by zero', pos);
      return wrap(a - b * Math.floor(a / b));
    case '**':
      return wrap(a ** b);
  }
  throw new J2Error(`unknown operator ${op}`, pos);
}

/** Python's `"%s-%d" % (a, b)`, the common conversions only. */
export function percentFormat(fmt: string, args: unknown[], pos: number): string {
  let i = 0;
  return fmt.replace(
    /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdirfx%])/g,
    (_m, flags: string, width: string, prec: string | undefined, conv: string) => {
      if (conv === '%') return '%';
      if (i >= args.length) throw new J2Error('not enough arguments for format string', pos);
      const a = args[i++];
      let s: string;
      if (conv === 's') s = pyStr(a);
      else if (conv === 'r') s = pyStr(a) === a ? `'${String(a)}'` : pyStr(a);
      else if (conv === 'f') s = num(a, pos).toFixed(prec === undefined ? 6 : Number(prec));
      else if (conv === 'x') s = Math.trunc(num(a, pos)).toString(16);
      else s = String(Math.trunc(num(a, pos)));
      const w = Number(width || 0);
      if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
      return s;
    },
  );
}

export function compare(op: string, l: unknown, r: unknown, pos: number): boolean {
  switch (op) {
    case '==':
      return pyEq(l, r);
    case '!=':
      return !pyEq(l, r);
    case '<':
      return pyCmp(l, r, pos) < 0;
    case '<=':
      return pyCmp(l, r, pos) <= 0;
    case '>':
      return pyCmp(l, r, pos) > 0;
    case '>=':
      return pyCmp(l, r, pos) >= 0;
    case 'in':
      return contains(r, l, pos);
    case 'notin':
      return !contains(r, l, pos);
  }
  throw new J2Error(`unknown comparison ${op}`, pos);
}

export function contains(container: unknown, x: unknown, pos: number): boolean {
  const c = need(container, pos);
  if (typeof c === 'string') return c.includes(pyStr(need(x, pos)));
  if (isDict(c)) return typeof x === 'string' || typeof x === 'number' ? Object.hasOwn(c, String(x)) : false;
  return iter(c, pos).some((e) => pyEq(e, x));
}
