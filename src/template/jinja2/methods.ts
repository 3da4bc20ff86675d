import { Fn, tuple, isDict, iter, J2Error, need, num, pyStr, str, typeName, Undef, type Dict } from './values.js';

/**
 * Python methods templates call on values: `s.split(',')`, `d.items()`, `xs.append(x)`
 * (the `{% set _ = xs.append(x) %}` idiom mutates, as in Python).
 */
type Method = (self: never, a: unknown[], kw: Dict, pos: number) => unknown;

const STR: Record<string, (s: string, a: unknown[], kw: Dict, pos: number) => unknown> = {
  split: (s, a, _kw, pos) =>
    pySplit(s, a[0] === undefined || a[0] === null ? undefined : str(a[0], pos), a[1] === undefined ? -1 : num(a[1], pos)),
  rsplit: (s, a, _kw, pos) =>
    pySplit(s, a[0] === undefined || a[0] === null ? undefined : str(a[0], pos), a[1] === undefined ? -1 : num(a[1], pos), true),
  strip: (s, a, _kw, pos) => pyStrip(s, a[0], pos, true, true),
  lstrip: (s, a, _kw, pos) => pyStrip(s, a[0], pos, true, false),
  rstrip: (s, a, _kw, pos) => pyStrip(s, a[0], pos, false, true),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => s.replace(/[A-Za-z]+/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s),
  startswith: (s, a, _kw, pos) => (Array.isArray(a[0]) ? a[0] : [a[0]]).some((p) => s.startsWith(str(p, pos))),
  endswith: (s, a, _kw, pos) => (Array.isArray(a[0]) ? a[0] : [a[0]]).some((p) => s.endsWith(str(p, pos))),
  replace: (s, a, _kw, pos) => pyReplace(s, str(a[0], pos), str(a[1], pos), a[2] === undefined ? -1 : num(a[2], pos)),
  join: (s, a, _kw, pos) =>
    iter(a[0], pos)
      .map((x) => str(x, pos))
      .join(s),
  find: (s, a, _kw, pos) => s.indexOf(str(a[0], pos)),
  index: (s, a, _kw, pos) => {
    const i = s.indexOf(str(a[0], pos));
    if (i < 0) throw new J2Error('substring not found', pos);
    return i;
  },
  count: (s, a, _kw, pos) => (str(a[0], pos) === '' ? s.length + 1 : s.split(str(a[0], pos)).length - 1),
  splitlines: (s) => s.split(/\r\n|\r|\n/).filter((_x, i, arr) => i < arr.length - 1 || arr[i] !== ''),
  isdigit: (s) => /^\d+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  zfill: (s, a, _kw, pos) => (s.startsWith('-') ? `-${s.slice(1).padStart(num(a[0], pos) - 1, '0')}` : s.padStart(num(a[0], pos), '0')),
  ljust: (s, a, _kw, pos) => s.padEnd(num(a[0], pos), a[1] === undefined ? ' ' : str(a[1], pos)),
  rjust: (s, a, _kw, pos) => s.padStart(num(a[0], pos), a[1] === undefined ? ' ' : str(a[1], pos)),
  format: (s, a, kw) =>
    s.replace(/\{(\w*)\}/g, (_m, k: string) => {
      if (k === '') return pyStr(need(a.shift(), -1));
      return /^\d+$/.test(k) ? pyStr(a[Number(k)]) : pyStr(kw[k]);
    }),
};

const LIST: Record<string, (l: unknown[], a: unknown[], kw: Dict, pos: number) => unknown> = {
  append: (l, a) => {
    l.push(a[0]);
    return null;
  },
  extend: (l, a, _kw, pos) => {
    l.push(...iter(a[0], pos));
    return null;
  },
  insert: (l, a, _kw, pos) => {
    l.splice(num(a[0], pos), 0, a[1]);
    return null;
  },
  pop: (l, a, _kw, pos) => {
    if (l.length === 0) throw new J2Error('pop from empty list', pos);
    const i = a[0] === undefined ? l.length - 1 : num(a[0], pos);
    return l.splice(i < 0 ? l.length + i : i, 1)[0];
  },
  index: (l, a, _kw, pos) => {
    const i = l.findIndex((x) => pyStr(x) === pyStr(a[0]) && typeName(x) === typeName(a[0]));
    if (i < 0) throw new J2Error(`${pyStr(a[0])} is not in list`, pos);
    return i;
  },
  count: (l, a) => l.filter((x) => pyStr(x) === pyStr(a[0]) && typeName(x) === typeName(a[0])).length,
};

const DICT: Record<string, (d: Dict, a: unknown[], kw: Dict, pos: number) => unknown> = {
  items: (d) => Object.entries(d).map((p) => tuple(p)),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, a, _kw, pos) => {
    const k = need(a[0], pos);
    return Object.hasOwn(d, String(k)) ? d[String(k)] : a[1] === undefined ? null : a[1];
  },
  update: (d, a, kw) => {
    if (isDict(a[0])) Object.assign(d, a[0]);
    Object.assign(d, kw);
    return null;
  },
  copy: (d) => ({ ...d }),
  pop: (d, a, _kw, pos) => {
    const k = String(need(a[0], pos));
    if (!Object.hasOwn(d, k)) {
      if (a.length > 1) return a[1];
      throw new J2Error(`key ${JSON.stringify(k)} not found`, pos);
    }
    const v = d[k];
    delete d[k];
    return v;
  },
  setdefault: (d, a, _kw, pos) => {
    const k = String(need(a[0], pos));
    if (!Object.hasOwn(d, k)) d[k] = a[1] ?? null;
    return d[k];
  },
};

function table(obj: unknown): Record<string, Method> | undefined {
  if (typeof obj === 'string') return STR as Record<string, Method>;
  if (Array.isArray(obj)) return LIST as Record<string, Method>;
  if (isDict(obj)) return DICT as Record<string, Method>;
  return undefined;
}

export function hasMethod(obj: unknown, name: string): boolean {
  const t = table(obj);
  return (
    t !== undefined &&
    Object.hasOwn(t, name) &&
    !(isDict(obj) && Object.hasOwn(obj, name) && !['items', 'keys', 'values', 'get'].includes(name))
  );
}

export function callMethod(obj: unknown, name: string, args: unknown[], kw: Dict, pos: number): unknown {
  const t = table(obj);
  if (!t || !Object.hasOwn(t, name)) throw new J2Error(`${typeName(obj)} has no method "${name}"`, pos);
  return (t[name] as (s: unknown, a: unknown[], kw: Dict, pos: number) => unknown)(obj, args, kw, pos);
}

export function pySplit(s: string, sep: string | undefined, max: number, fromRight = false): string[] {
  if (sep === undefined) {
    const parts = s
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '');
    if (max < 0 || parts.length <= max + 1) return parts;
    if (fromRight) {
      const m = new RegExp(`^(.*?)(?:\\s+\\S+){${max}}\\s*$`).exec(s.trim());
      return [m ? m[1] : '', ...parts.slice(parts.length - max)];
    }
    const re = /\s+/g;
    const t = s.replace(/^\s+/, '');
    let cut = 0;
    for (let i = 0; i < max; i++) {
      re.exec(t);
      cut = re.lastIndex;
    }
    return [...parts.slice(0, max), t.slice(cut)];
  }
  if (sep === '') throw new J2Error('empty separator', -1);
  const all = s.split(sep);
  if (max < 0 || all.length <= max + 1) return all;
  if (fromRight) return [all.slice(0, all.length - max).join(sep), ...all.slice(all.length - max)];
  return [...all.slice(0, max), all.slice(max).join(sep)];
}

function pyStrip(s: string, chars: unknown, pos: number, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) {
    if (left) s = s.replace(/^\s+/, '');
    if (right) s = s.replace(/\s+$/, '');
    return s;
  }
  const set = new Set(str(chars, pos));
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.has(s[a])) a++;
  if (right) while (b > a && set.has(s[b - 1])) b--;
  return s.slice(a, b);
}

export function pyReplace(s: string, old: string, neu: string, count: number): string {
  if (count < 0) return s.split(old).join(neu);
  const parts = s.split(old);
  return parts.slice(0, count + 1).join(neu) + (parts.length > count + 1 ? old + parts.slice(count + 1).join(old) : '');
}

export { Fn, Undef };
