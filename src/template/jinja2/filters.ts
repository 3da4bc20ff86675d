import { applyFilter, applyTest, getAttr, percentFormat } from './evaluator.js';
import { pyReplace } from './methods.js';
import { FILTERS, type FilterFn } from './registry.js';
import {
  tuple,
  isDict,
  iter,
  J2Error,
  need,
  num,
  pyCmp,
  pyEq,
  PyFloat,
  pyRepr,
  pyStr,
  str,
  truthy,
  typeName,
  Undef,
  type Dict,
} from './values.js';

/** Jinja2's built-in filters, with Jinja2 3.1's argument names and defaults. */
function arg(args: unknown[], kw: Dict, i: number, name: string, dflt: unknown): unknown {
  if (Object.hasOwn(kw, name)) return kw[name];
  return i < args.length ? args[i] : dflt;
}

/** `attribute="a.b"` or an integer index path, as Jinja2's make_attrgetter. */
export function attrGetter(attr: unknown, pos: number, dflt?: unknown): (x: unknown) => unknown {
  const parts =
    typeof attr === 'number'
      ? [attr]
      : String(attr)
          .split('.')
          .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (x: unknown) => {
    let cur = x;
    for (const p of parts) {
      if (typeof p === 'number' && Array.isArray(cur)) cur = p < cur.length ? cur[p] : new Undef(String(attr), pos);
      else cur = getAttr(cur, String(p), pos, 'item');
    }
    if (cur instanceof Undef && dflt !== undefined) return dflt;
    return cur;
  };
}

function lowerIf(x: unknown, caseSensitive: boolean): unknown {
  return !caseSensitive && typeof x === 'string' ? x.toLowerCase() : x;
}

function sortBy(items: unknown[], key: (x: unknown) => unknown, reverse: boolean, pos: number): unknown[] {
  const out = items.map((x, i) => ({ x, k: key(x), i }));
  out.sort((a, b) => pyCmp(a.k, b.k, pos) || a.i - b.i);
  if (reverse) {
    // Python's sort(reverse=True) is stable too: equal keys keep their order.
    out.sort((a, b) => pyCmp(b.k, a.k, pos) || a.i - b.i);
  }
  return out.map((o) => o.x);
}

function pyInt(v: unknown, dflt: unknown, base: number): unknown {
  const x = need(v, -1);
  if (typeof x === 'number') return Math.trunc(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') {
    const s = x.trim().replace(/_/g, '');
    if (base === 10 && /^[-+]?\d+$/.test(s)) return Number(s);
    if (base !== 10) {
      const t = s.replace(/^0[xob]/i, '');
      const n = parseInt(t, base);
      if (!Number.isNaN(n) && /^[0-9a-z]+$/i.test(t)) return n;
      return dflt;
    }
    const f = Number(s);
    if (s !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s) && Number.isFinite(f)) return Math.trunc(f);
  }
  return dflt;
}

function pyFloat(v: unknown, dflt: unknown): unknown {
  const x = need(v, -1);
  if (typeof x === 'number') return new PyFloat(x);
  if (typeof x === 'boolean') return new PyFloat(x ? 1 : 0);
  if (typeof x === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(x)) return new PyFloat(Number(x));
  return dflt;
}

/** Python's round(): exact ties go to the even neighbour, others by the exact binary value. */
function roundHalfEven(n: number, prec: number): number {
  const m = 10 ** prec;
  const x = n * m;
  if (Math.abs(x % 1) === 0.5 && x / m === n) {
    const lo = Math.floor(x);
    return (lo % 2 === 0 ? lo : lo + 1) / m;
  }
  return Number(n.toFixed(Math.max(0, prec)));
}

function selectLike(keep: boolean, byAttr: boolean): FilterFn {
  return (v, args, _kw, pos) => {
    const items = iter(v, pos);
    let rest = args;
    let get: (x: unknown) => unknown = (x) => x;
    if (byAttr) {
      get = attrGetter(args[0], pos);
      rest = args.slice(1);
    }
    const [test, ...targs] = rest;
    return items.filter((x) => {
      const val = get(x);
      const ok = test === undefined ? truthy(val instanceof Undef ? false : val, pos) : applyTest(str(test, pos), val, targs, pos);
      return ok === keep;
    });
  };
}

function uniq(items: unknown[], caseSensitive: boolean, get: (x: unknown) => unknown): unknown[] {
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const x of items) {
    const k = lowerIf(get(x), caseSensitive);
    if (!seen.some((s) => pyEq(s, k))) {
      seen.push(k);
      out.push(x);
    }
  }
  return out;
}

export function indent(s: string, width: unknown, first: boolean, blank: boolean): string {
  const ind = typeof width === 'string' ? width : ' '.repeat(Number(width));
  const lines = splitLines(`${s}\n`);
  let rv: string;
  if (blank) rv = lines.join(`\n${ind}`);
  else
    rv =
      lines[0] +
      (lines.length > 1
        ? `\n${lines
            .slice(1)
            .map((l) => (l ? ind + l : l))
            .join('\n')}`
        : '');
  return first ? ind + rv : rv;
}

/** Python str.splitlines(): no trailing empty item for a final newline. */
export function splitLines(s: string): string[] {
  const parts = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return s === '' ? [] : parts;
}

function minMax(sign: number): FilterFn {
  return (v, args, kw, pos) => {
    const items = iter(v, pos);
    if (items.length === 0) return new Undef(sign > 0 ? 'max' : 'min', pos, `${sign > 0 ? 'max' : 'min'} of an empty sequence`);
    const cs = truthy(arg(args, kw, 0, 'case_sensitive', false), pos);
    const attr = arg(args, kw, 1, 'attribute', null);
    const get = attr === null ? (x: unknown) => x : attrGetter(attr, pos);
    let best = items[0];
    for (const x of items.slice(1)) if (sign * pyCmp(lowerIf(get(x), cs), lowerIf(get(best), cs), pos) > 0) best = x;
    return best;
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

const jinja: Record<string, FilterFn> = {
  abs: (v, _a, _k, pos) => (v instanceof PyFloat ? new PyFloat(Math.abs(v.v)) : Math.abs(num(v, pos))),
  attribute: (v, a, _k, pos) => attrGetter(a[0], pos)(v),
  batch: (v, a, kw, pos) => {
    const n = num(a[0], pos);
    const fill = arg(a, kw, 1, 'fill_with', null);
    const items = iter(v, pos);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    if (fill !== null && out.length && out[out.length - 1].length < n)
      while (out[out.length - 1].length < n) out[out.length - 1].push(fill);
    return out;
  },
  capitalize: (v) => {
    const s = pyStr(v);
    return s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  center: (v, a, kw, pos) => {
    const s = pyStr(v);
    const w = num(arg(a, kw, 0, 'width', 80), pos);
    const total = Math.max(0, w - s.length);
    const left = Math.floor(total / 2) + (total % 2 && w % 2 ? 1 : 0);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  default: (v, a, kw, pos) => {
    const dflt = arg(a, kw, 0, 'default_value', '');
    const boolean = truthy(arg(a, kw, 1, 'boolean', false), pos);
    if (v instanceof Undef || (boolean && !truthy(v, pos))) return dflt;
    return v;
  },
  dictsort: (v, a, kw, pos) => {
    if (!isDict(v)) throw new J2Error(`dictsort needs a dictionary, got ${typeName(v)}`, pos);
    const cs = truthy(arg(a, kw, 0, 'case_sensitive', false), pos);
    const by = arg(a, kw, 1, 'by', 'key');
    const rev = truthy(arg(a, kw, 2, 'reverse', false), pos);
    const idx = by === 'value' ? 1 : 0;
    return sortBy(
      Object.entries(v).map((p) => tuple(p)),
      (p) => lowerIf((p as unknown[])[idx], cs),
      rev,
      pos,
    );
  },
  escape: (v) => pyStr(v).replace(/[&<>"']/g, (c) => ESCAPES[c]),
  first: (v, _a, _k, pos) => {
    const items = iter(v, pos);
    return items.length ? items[0] : new Undef('first', pos, 'first of an empty sequence');
  },
  float: (v, a, kw) => pyFloat(v, arg(a, kw, 0, 'default', new PyFloat(0))),
  forceescape: (v) => pyStr(v).replace(/[&<>"']/g, (c) => ESCAPES[c]),
  format: (v, a, _kw, pos) => percentFormat(str(v, pos), a, pos),
  groupby: (v, a, kw, pos) => {
    const get = attrGetter(arg(a, kw, 0, 'attribute', null), pos, arg(a, kw, 1, 'default', undefined));
    const cs = truthy(arg(a, kw, 2, 'case_sensitive', false), pos);
    const sorted = sortBy(iter(v, pos), (x) => lowerIf(get(x), cs), false, pos);
    const groups: [unknown, unknown[]][] = [];
    for (const x of sorted) {
      const k = get(x);
      const g = groups.find((gr) => pyEq(lowerIf(gr[0], cs), lowerIf(k, cs)));
      if (g) g[1].push(x);
      else groups.push([k, [x]]);
    }
    return groups.map((g) => tuple(g));
  },
  indent: (v, a, kw, pos) =>
    indent(pyStr(v), arg(a, kw, 0, 'width', 4), truthy(arg(a, kw, 1, 'first', false), pos), truthy(arg(a, kw, 2, 'blank', false), pos)),
  int: (v, a, kw, pos) => pyInt(v, arg(a, kw, 0, 'default', 0), num(arg(a, kw, 1, 'base', 10), pos)),
  items: (v, _a, _k, pos) => {
    if (v instanceof Undef) return [];
    if (!isDict(v)) throw new J2Error(`items needs a dictionary, got ${typeName(v)}`, pos);
    return Object.entries(v).map((p) => tuple(p));
  },
  join: (v, a, kw, pos) => {
    const sep = pyStr(arg(a, kw, 0, 'd', ''));
    const attr = arg(a, kw, 1, 'attribute', null);
    const get = attr === null ? (x: unknown) => x : attrGetter(attr, pos);
    return iter(v, pos)
      .map((x) => pyStr(need(get(x), pos)))
      .join(sep);
  },
  last: (v, _a, _k, pos) => {
    const items = iter(v, pos);
    return items.length ? items[items.length - 1] : new Undef('last', pos, 'last of an empty sequence');
  },
  length: (v, _a, _k, pos) => (isDict(v) ? Object.keys(v).length : typeof v === 'string' ? [...v].length : iter(v, pos).length),
  list: (v, _a, _k, pos) => [...iter(v, pos)],
  lower: (v) => pyStr(v).toLowerCase(),
  map: (v, a, kw, pos) => {
    const items = iter(v, pos);
    if (Object.hasOwn(kw, 'attribute') || (a.length === 0 && Object.keys(kw).length)) {
      const get = attrGetter(kw.attribute, pos, kw.default);
      return items.map(get);
    }
    const [name, ...rest] = a;
    return items.map((x) => applyFilter(str(name, pos), x, rest, kw, pos));
  },
  max: minMax(1),
  min: minMax(-1),
  pprint: (v) => pyRepr(v),
  reject: selectLike(false, false),
  rejectattr: selectLike(false, true),
  replace: (v, a, kw, pos) =>
    pyReplace(pyStr(v), pyStr(a[0]), pyStr(a[1]), a[2] === undefined && kw.count === undefined ? -1 : num(arg(a, kw, 2, 'count', -1), pos)),
  reverse: (v, _a, _k, pos) => (typeof v === 'string' ? [...v].reverse().join('') : [...iter(v, pos)].reverse()),
  round: (v, a, kw, pos) => {
    const prec = num(arg(a, kw, 0, 'precision', 0), pos);
    const method = String(arg(a, kw, 1, 'method', 'common'));
    const n = num(v, pos);
    const m = 10 ** prec;
    // Python's round() keeps an int an int.
    if (method === 'common' && typeof v === 'number' && Number.isInteger(v) && prec >= 0) return v;
    if (method === 'ceil') return new PyFloat(Math.ceil(n * m) / m);
    if (method === 'floor') return new PyFloat(Math.floor(n * m) / m);
    return new PyFloat(roundHalfEven(n, prec));
  },
  safe: (v) => v,
  select: selectLike(true, false),
  selectattr: selectLike(true, true),
  slice: (v, a, _kw, pos) => {
    const items = iter(v, pos);
    const n = num(a[0], pos);
    const per = Math.floor(items.length / n);
    const extra = items.length % n;
    const out: unknown[][] = [];
    let off = 0;
    for (let i = 0; i < n; i++) {
      const len = per + (i < extra ? 1 : 0);
      out.push(items.slice(off, off + len));
      off += len;
      if (a[1] !== undefined && i >= extra && extra) out[i].push(a[1]);
    }
    return out;
  },
  sort: (v, a, kw, pos) => {
    const rev = truthy(arg(a, kw, 0, 'reverse', false), pos);
    const cs = truthy(arg(a, kw, 1, 'case_sensitive', false), pos);
    const attr = arg(a, kw, 2, 'attribute', null);
    const get = attr === null ? (x: unknown) => x : attrGetter(attr, pos);
    return sortBy(iter(v, pos), (x) => lowerIf(get(x), cs), rev, pos);
  },
  string: (v) => pyStr(v),
  striptags: (v) =>
    pyStr(v)
      .replace(/<!--[\s\S]*?-->|<[^>]*>/g, '')
      .replace(/\s+/g, ' ')
      .trim(),
  sum: (v, a, kw, pos) => {
    const attr = arg(a, kw, 0, 'attribute', null);
    const get = attr === null ? (x: unknown) => x : attrGetter(attr, pos);
    let float = false;
    let total = num(arg(a, kw, 1, 'start', 0), pos);
    for (const x of iter(v, pos)) {
      const y = get(x);
      if (y instanceof PyFloat || (typeof y === 'number' && !Number.isInteger(y))) float = true;
      total += num(y, pos);
    }
    return float ? new PyFloat(total) : total;
  },
  title: (v) => pyStr(v).replace(/([\w]+)/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  trim: (v, a, kw, pos) => {
    const chars = arg(a, kw, 0, 'chars', null);
    if (chars === null) return pyStr(v).trim();
    const set = new Set(str(chars, pos));
    const s = [...pyStr(v)];
    while (s.length && set.has(s[0])) s.shift();
    while (s.length && set.has(s[s.length - 1])) s.pop();
    return s.join('');
  },
  truncate: (v, a, kw, pos) => {
    const s = pyStr(v);
    const len = num(arg(a, kw, 0, 'length', 255), pos);
    const killwords = truthy(arg(a, kw, 1, 'killwords', false), pos);
    const end = pyStr(arg(a, kw, 2, 'end', '...'));
    const leeway = num(arg(a, kw, 3, 'leeway', 5), pos);
    if (s.length <= len + leeway) return s;
    if (killwords) return s.slice(0, len - end.length) + end;
    const cut = s.slice(0, len - end.length);
    const sp = cut.lastIndexOf(' ');
    return (sp >= 0 ? cut.slice(0, sp) : cut) + end;
  },
  unique: (v, a, kw, pos) => {
    const attr = arg(a, kw, 1, 'attribute', null);
    return uniq(iter(v, pos), truthy(arg(a, kw, 0, 'case_sensitive', false), pos), attr === null ? (x) => x : attrGetter(attr, pos));
  },
  upper: (v) => pyStr(v).toUpperCase(),
  urlencode: (v) => {
    const enc = (s: string): string =>
      encodeURIComponent(s)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%2F/g, '/');
    if (isDict(v))
      return Object.entries(v)
        .map(([k, x]) => `${enc(k)}=${enc(pyStr(x))}`)
        .join('&');
    return enc(pyStr(v));
  },
  wordcount: (v) => (pyStr(v).match(/\w+/g) ?? []).length,
  xmlattr: (v, a, _kw, pos) => {
    if (!isDict(v)) throw new J2Error('xmlattr needs a dictionary', pos);
    const s = Object.entries(v)
      .filter(([, x]) => x !== null && !(x instanceof Undef))
      .map(([k, x]) => `${k}="${pyStr(x).replace(/[&<>"']/g, (c) => ESCAPES[c])}"`)
      .join(' ');
    return s && (a[0] === undefined || truthy(a[0], pos)) ? ` ${s}` : s;
  },
};
jinja.d = jinja.default;
jinja.e = jinja.escape;
jinja.count = jinja.length;

Object.assign(FILTERS, jinja);
