import { suggest } from '../../errors.js';
import type { Vars } from '../../inventory/model.js';
import { pathText, type Node } from './ast.js';
import { andOr, compareDyn, filterDyn, inDyn, MIRROR, not, regAttr, regDefined, regTest, REG_ATTRS, truth } from './dynamic.js';
import { ExprError } from './lexer.js';
import { compareKnown, inKnown, kind, known, toBool, toInt, truthy, type Dyn, type Val } from './values.js';

/**
 * Partial evaluation: everything that depends only on variables is computed now; what
 * depends on registered results becomes bash (see dynamic.ts). `and`/`or` short-circuit at
 * compile time, so `x is defined and x > 1` never touches an undefined x.
 */
export interface Scope {
  vars: Vars;
  registered: ReadonlySet<string>;
}

type BoolDyn = Dyn & { k: 'bool' };

export const FILTERS = ['bool', 'int', 'length', 'count', 'default', 'd', 'lower', 'upper', 'string', 'trim', 'first', 'last'];
export const TESTS = [
  'defined',
  'undefined',
  'none',
  'changed',
  'failed',
  'succeeded',
  'success',
  'skipped',
  'string',
  'number',
  'mapping',
  'sequence',
];

export function evaluate(n: Node, s: Scope): Val {
  switch (n.t) {
    case 'lit':
      return known(n.v);
    case 'list':
      return known(n.items.map((i) => defined(evaluate(i, s), s, 'a list item must be known before the run', i)));
    case 'name':
      if (s.registered.has(n.name)) return { k: 'reg', name: n.name };
      if (Object.hasOwn(s.vars, n.name)) return known(s.vars[n.name]);
      return { k: 'undef', name: n.name, pos: n.pos, end: n.end };
    case 'get':
      return get(n, s);
    case 'not': {
      const v = toTruth(evaluate(n.e, s), s, n.e);
      return v.k === 'known' ? known(!v.v) : not(v as BoolDyn);
    }
    case 'and':
    case 'or': {
      const l = toTruth(evaluate(n.l, s), s, n.l);
      if (l.k === 'known') {
        if (n.t === 'and' ? !l.v : l.v) return l;
        return toTruth(evaluate(n.r, s), s, n.r);
      }
      const r = toTruth(evaluate(n.r, s), s, n.r);
      if (r.k === 'known') return (n.t === 'and' ? r.v : !r.v) ? l : r;
      return andOr(n.t, l as BoolDyn, r as BoolDyn);
    }
    case 'cmp': {
      const l = need(evaluate(n.l, s), s, n.l);
      const r = need(evaluate(n.r, s), s, n.r);
      if (l.k === 'known' && r.k === 'known') return known(compareKnown(n.op, l.v, r.v, n.pos, n.end));
      if (l.k !== 'known') return compareDyn(n.op, l as Dyn, r, pathText(n.l) ?? 'the left side', n.pos, n.end);
      return compareDyn(MIRROR[n.op], r as Dyn, l, pathText(n.r) ?? 'the right side', n.pos, n.end);
    }
    case 'in': {
      const l = need(evaluate(n.l, s), s, n.l);
      const r = need(evaluate(n.r, s), s, n.r);
      const v = l.k === 'known' && r.k === 'known' ? known(inKnown(l.v, r.v, n.pos, n.end)) : inDyn(l, r, n.pos, n.end);
      if (!n.neg) return v;
      return v.k === 'known' ? known(!v.v) : not(v as BoolDyn);
    }
    case 'is': {
      const v = test(n, s);
      if (!n.neg) return v;
      return v.k === 'known' ? known(!v.v) : not(v as BoolDyn);
    }
    case 'filter':
      return filter(n, s);
  }
}

function get(n: Node & { t: 'get' }, s: Scope): Val {
  const obj = evaluate(n.obj, s);
  const keyVal = need(evaluate(n.key, s), s, n.key);
  if (keyVal.k !== 'known') throw new ExprError('an index must be known before the run', n.key.pos, n.key.end);
  const key = keyVal.v;
  const shown = pathText(n) ?? `${pathText(n.obj) ?? '(...)'}[${JSON.stringify(key)}]`;
  if (obj.k === 'undef') return { k: 'undef', name: shown, pos: obj.pos, end: n.end };
  if (obj.k === 'reg') return regAttr(obj.name, String(key), n.key.pos, n.key.end, obj.path);
  if (obj.k !== 'known')
    throw new ExprError(`cannot look up "${String(key)}" in ${pathText(n.obj) ?? 'a runtime value'}`, n.key.pos, n.key.end);
  const v = obj.v;
  if (Array.isArray(v) && typeof key === 'number' && Number.isInteger(key)) {
    const i = key < 0 ? v.length + key : key;
    return i >= 0 && i < v.length ? known(v[i]) : { k: 'undef', name: shown, pos: n.pos, end: n.end };
  }
  // Own properties only: `constructor`, `__proto__` and friends are never reachable.
  if (
    v !== null &&
    typeof v === 'object' &&
    !Array.isArray(v) &&
    (typeof key === 'string' || typeof key === 'number') &&
    Object.hasOwn(v, String(key))
  ) {
    return known((v as Record<string, unknown>)[String(key)]);
  }
  return { k: 'undef', name: shown, pos: n.pos, end: n.end };
}

/** `reg.stat.isdir` (literal keys, a registered root, two levels or more): its name and path. */
function retPathOf(e: Node, s: Scope): { name: string; path: string[] } | undefined {
  const path: string[] = [];
  let cur = e;
  while (cur.t === 'get') {
    if (cur.key.t !== 'lit' || typeof cur.key.v !== 'string') return undefined;
    path.unshift(cur.key.v);
    cur = cur.obj;
  }
  if (cur.t !== 'name' || !s.registered.has(cur.name) || path.length < 2) return undefined;
  return { name: cur.name, path };
}

function test(n: Node & { t: 'is' }, s: Scope): Val {
  if (n.test === 'defined' || n.test === 'undefined') {
    // A module return value (`st.stat.isdir`) is defined only when the host set it.
    const rp = retPathOf(n.e, s);
    if (rp) return n.test === 'defined' ? regDefined(rp.name, rp.path) : not(regDefined(rp.name, rp.path) as BoolDyn);
  }
  const v = evaluate(n.e, s);
  if (n.test === 'defined') return known(v.k !== 'undef');
  if (n.test === 'undefined') return known(v.k === 'undef');
  const d = need(v, s, n.e);
  if (d.k === 'reg') {
    const t = regTest(d.name, n.test);
    if (t) return t;
  }
  if (d.k === 'known') {
    const x = d.v;
    switch (n.test) {
      case 'none':
        return known(x === null);
      case 'string':
        return known(typeof x === 'string');
      case 'number':
        return known(typeof x === 'number');
      case 'mapping':
        return known(x !== null && typeof x === 'object' && !Array.isArray(x));
      case 'sequence':
        return known(Array.isArray(x) || typeof x === 'string');
      case 'changed':
      case 'failed':
      case 'skipped':
      case 'succeeded':
      case 'success': {
        if (x === null || typeof x !== 'object' || Array.isArray(x)) {
          throw new ExprError(
            `"is ${n.test}" needs a registered result, got ${kind(x)}`,
            n.pos,
            n.end,
            'register the task (register: NAME) and test NAME',
          );
        }
        const r = x as Record<string, unknown>;
        const failed = toBool(r.failed);
        return known(n.test === 'succeeded' || n.test === 'success' ? !failed : n.test === 'failed' ? failed : toBool(r[n.test]));
      }
    }
  } else if (n.test === 'none') return known(false);
  const guess = suggest(n.test, TESTS);
  throw new ExprError(`unknown test "${n.test}"`, n.pos, n.end, guess ? `did you mean "${guess}"?` : `tests: ${TESTS.join(', ')}`);
}

function filter(n: Node & { t: 'filter' }, s: Scope): Val {
  const v = evaluate(n.e, s);
  const args = n.args.map((a) => need(evaluate(a, s), s, a));
  if (n.name === 'default' || n.name === 'd') {
    if (args.length === 0 || args[0].k !== 'known') throw new ExprError('default() needs a value known before the run', n.pos, n.end);
    const orFalsy = args[1]?.k === 'known' && args[1].v === true;
    if (v.k === 'undef') return args[0];
    if (orFalsy && v.k === 'known' && !truthy(v.v)) return args[0];
    return v;
  }
  const d = need(v, s, n.e);
  if (d.k !== 'known') {
    if (!FILTERS.includes(n.name)) unknownFilter(n);
    return filterDyn(n.name, d, n.pos, n.end);
  }
  const x = d.v;
  switch (n.name) {
    case 'bool':
      return known(toBool(x));
    case 'int':
      return known(toInt(x));
    case 'string':
      return known(x === null ? 'None' : typeof x === 'object' ? JSON.stringify(x) : String(x));
    case 'lower':
    case 'upper':
    case 'trim':
      if (typeof x !== 'string') throw new ExprError(`filter "${n.name}" needs a string, got ${kind(x)}`, n.pos, n.end);
      return known(n.name === 'lower' ? x.toLowerCase() : n.name === 'upper' ? x.toUpperCase() : x.trim());
    case 'length':
    case 'count':
      if (typeof x === 'string' || Array.isArray(x)) return known(x.length);
      if (x !== null && typeof x === 'object') return known(Object.keys(x).length);
      throw new ExprError(`filter "length" needs a string, list or dictionary, got ${kind(x)}`, n.pos, n.end);
    case 'first':
    case 'last':
      if (!Array.isArray(x) && typeof x !== 'string') throw new ExprError(`filter "${n.name}" needs a list, got ${kind(x)}`, n.pos, n.end);
      return x.length === 0
        ? { k: 'undef', name: `${pathText(n.e) ?? 'value'} | ${n.name}`, pos: n.pos, end: n.end }
        : known(n.name === 'first' ? x[0] : x[x.length - 1]);
    default:
      return unknownFilter(n);
  }
}

function unknownFilter(n: Node & { t: 'filter' }): never {
  const guess = suggest(n.name, FILTERS);
  throw new ExprError(`unknown filter "${n.name}"`, n.pos, n.end, guess ? `did you mean "${guess}"?` : `filters: ${FILTERS.join(', ')}`);
}

/** A value that must exist: an undefined variable here is an error at its position. */
function need(v: Val, s: Scope, _n: Node): Exclude<Val, { k: 'undef' }> {
  if (v.k !== 'undef') return v;
  const head = v.name.split(/[.[]/)[0];
  const candidates = head === v.name ? [...Object.keys(s.vars), ...s.registered] : [];
  const guess = suggest(head, candidates);
  throw new ExprError(
    `variable "${v.name}" is not defined`,
    v.pos,
    v.end,
    guess ? `did you mean "${guess}"?` : `guard it: ${v.name} is defined and ...`,
  );
}

function defined(v: Val, s: Scope, msg: string, n: Node): unknown {
  const d = need(v, s, n);
  if (d.k !== 'known') throw new ExprError(msg, n.pos, n.end);
  return d.v;
}

function toTruth(v: Val, s: Scope, n: Node): Val {
  const d = need(v, s, n);
  return d.k === 'known' ? known(truthy(d.v)) : truth(d);
}

export { REG_ATTRS };
