/**
 * Python values as Jinja2 sees them, on JS values: str/int/bool/None/list/dict map to
 * string/number/boolean/null/array/plain object. Two boxes keep what JS would lose:
 * PyFloat (so `4 / 2` prints "2.0" as Python does) and Undef (an undefined name, carried
 * until something needs its value: Ansible's undefined is strict, so using it is an error,
 * while `is defined`, `default` and attribute chains are fine).
 */
export class J2Error extends Error {
  constructor(
    message: string,
    /** Offset into the template source (-1: unknown; filled in by the caller). */
    public pos: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'J2Error';
  }
}

export class PyFloat {
  constructor(readonly v: number) {}
}

export class Undef {
  constructor(
    readonly name: string,
    readonly pos: number,
    readonly why?: string,
    /** Jinja2's plain Undefined (an inline if without else): prints as "", is false. */
    readonly lenient = false,
  ) {}
}

/** Python tuples are JS arrays marked here: they print as (a, b). */
const TUPLES = new WeakSet<unknown[]>();
export function tuple<T>(items: T[]): T[] {
  TUPLES.add(items);
  return items;
}
export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && TUPLES.has(v);
}

/** Text produced by `safe`/macros: only matters for escape(), which leaves it alone. */
export class Markup {
  constructor(readonly s: string) {}
}

export type Dict = Record<string, unknown>;

/** A plain mapping (YAML/JSON dict), not one of the boxes or a callable. */
export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Something callable from a template: a macro, a global function, a bound method. */
export class Fn {
  constructor(
    readonly name: string,
    readonly f: (args: unknown[], kw: Dict, pos: number) => unknown,
    /** Attributes readable from templates (`loop.index` when loop is also callable, macro.name). */
    readonly attrs?: Dict,
  ) {}
}

export function undefErr(u: Undef, pos?: number): J2Error {
  return new J2Error(
    u.why ?? `variable "${u.name}" is not defined`,
    u.pos >= 0 ? u.pos : (pos ?? -1),
    u.why ? undefined : `use ${u.name} | default(...) or guard with "${u.name} is defined"`,
  );
}

/** The value itself, or an error if it is undefined (strict undefined, as Ansible). */
export function need(v: unknown, pos: number): unknown {
  if (v instanceof Undef) {
    if (v.lenient) return '';
    throw undefErr(v, pos);
  }
  if (v instanceof PyFloat) return v.v;
  if (v instanceof Markup) return v.s;
  return v;
}

export function num(v: unknown, pos: number, what = 'a number'): number {
  const x = need(v, pos);
  if (typeof x === 'number') return x;
  if (typeof x === 'boolean') return x ? 1 : 0;
  throw new J2Error(`expected ${what}, got ${typeName(v)}`, pos);
}

export function isNumber(v: unknown): boolean {
  return typeof v === 'number' || v instanceof PyFloat;
}

export function str(v: unknown, pos: number): string {
  const x = need(v, pos);
  if (typeof x !== 'string') throw new J2Error(`expected a string, got ${typeName(v)}`, pos);
  return x;
}

export function typeName(v: unknown): string {
  if (v instanceof Undef) return 'AnsibleUndefined';
  if (v instanceof PyFloat) return 'float';
  if (v instanceof Markup) return 'str';
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Fn) return 'function';
  return 'dict';
}

export function truthy(v: unknown, pos: number): boolean {
  const x = need(v, pos);
  if (x === null || x === undefined || (v instanceof Undef && v.lenient)) return false;
  if (Array.isArray(x)) return x.length > 0;
  if (x instanceof Fn) return true;
  if (typeof x === 'object') return Object.keys(x).length > 0;
  return Boolean(x);
}

export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  const s = String(n);
  // Python writes 1e-05 and 1e+16 where JS writes 1e-5 and 1e+16.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Python str(): what `{{ x }}` prints. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Markup) return v.s;
  return pyRepr(v);
}

/** Python repr(): strings quoted, as inside a printed list or dict. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof Markup) return `Markup(${strRepr(v.s)})`;
  if (v instanceof Undef) return '';
  if (Array.isArray(v)) {
    if (TUPLES.has(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
    return `[${v.map(pyRepr).join(', ')}]`;
  }
  if (v instanceof Fn) return `<function ${v.name}>`;
  return `{${Object.entries(v as Dict)
    .map(([k, x]) => `${strRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

export function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

/** Python ==: 1 == 1.0 == True; lists and dicts by value. */
export function pyEq(a: unknown, b: unknown): boolean {
  const x = a instanceof PyFloat ? a.v : a instanceof Markup ? a.s : a;
  const y = b instanceof PyFloat ? b.v : b instanceof Markup ? b.s : b;
  if ((typeof x === 'number' || typeof x === 'boolean') && (typeof y === 'number' || typeof y === 'boolean'))
    return Number(x) === Number(y);
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return x === y;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((e, i) => pyEq(e, y[i]));
  const kx = Object.keys(x as Dict);
  const ky = Object.keys(y as Dict);
  return kx.length === ky.length && kx.every((k) => Object.hasOwn(y, k) && pyEq((x as Dict)[k], (y as Dict)[k]));
}

/** Python ordering for sort/min/max/comparisons: numbers with numbers, strings with strings, lists element-wise. */
export function pyCmp(a: unknown, b: unknown, pos: number): number {
  const x = need(a, pos);
  const y = need(b, pos);
  if ((typeof x === 'number' || typeof x === 'boolean') && (typeof y === 'number' || typeof y === 'boolean')) return Number(x) - Number(y);
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = pyCmp(x[i], y[i], pos);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  throw new J2Error(`cannot compare ${typeName(a)} with ${typeName(b)} ('<' not supported)`, pos);
}

/** Iterating a value as Python does: dict -> keys, string -> characters. */
export function iter(v: unknown, pos: number): unknown[] {
  const x = need(v, pos);
  if (Array.isArray(x)) return x;
  if (typeof x === 'string') return [...x];
  if (isDict(x)) return Object.keys(x);
  throw new J2Error(`${typeName(v)} is not iterable`, pos);
}

export function lineCol(src: string, pos: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, col: pos - start + 1 };
}
