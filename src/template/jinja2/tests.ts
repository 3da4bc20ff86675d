import { existsSync, lstatSync, statSync } from 'node:fs';
import { contains } from './evaluator.js';
import { TESTS, type TestFn } from './registry.js';
import { pyRegex } from './regex.js';
import { Fn, isDict, isNumber, iter, J2Error, num, pyCmp, pyEq, PyFloat, pyStr, str, truthy, Undef } from './values.js';

/** Jinja2's tests plus Ansible's (match, search, version, subset, ...), one library. */
function looseVersion(s: string): (number | string)[] {
  return (s.match(/\d+|[a-z]+|\./gi) ?? []).filter((c) => c !== '.').map((c) => (/^\d+$/.test(c) ? Number(c) : c));
}

function cmpVersion(a: string, b: string, strict: boolean, pos: number): number {
  if (strict && !/^\d+\.\d+(\.\d+)?([ab]\d+)?$/.test(a)) throw new J2Error(`version: invalid strict version "${a}"`, pos);
  const x = looseVersion(a);
  const y = looseVersion(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    if (typeof x[i] !== typeof y[i]) throw new J2Error(`version: cannot compare "${a}" with "${b}"`, pos);
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

const OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
};

const version: TestFn = (v, a, pos) => {
  const op = a[1] === undefined ? 'eq' : pyStr(a[1]);
  const f = OPS[op];
  if (!f) throw new J2Error(`version: invalid operator "${op}"`, pos);
  return f(cmpVersion(pyStr(v), pyStr(a[0]), a[2] === true, pos));
};

function resultTest(key: 'failed' | 'changed' | 'skipped' | 'finished'): TestFn {
  return (v, _a, pos) => {
    if (!isDict(v)) throw new J2Error(`the "${key}" test needs a registered result (a dictionary)`, pos);
    if (key === 'failed') return truthy(v.failed ?? false, pos);
    if (key === 'finished') return truthy(v.finished ?? true, pos);
    return truthy(v[key] ?? false, pos);
  };
}

function regexTest(kind: 'match' | 'search'): TestFn {
  return (v, a, pos) => {
    const re = pyRegex(kind === 'match' ? `^(?:${str(a[0], pos)})` : str(a[0], pos), '', a[2] === true, a[1] === true, pos);
    return re.test(pyStr(v));
  };
}

const tests: Record<string, TestFn> = {
  defined: (v) => !(v instanceof Undef),
  undefined: (v) => v instanceof Undef,
  none: (v) => v === null,
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v)),
  number: (v) => isNumber(v) || typeof v === 'boolean',
  string: (v) => typeof v === 'string',
  mapping: (v) => isDict(v),
  iterable: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string' || isDict(v),
  callable: (v) => v instanceof Fn,
  sameas: (v, a) => v === a[0] || (v === null && a[0] === null),
  eq: (v, a) => pyEq(v, a[0]),
  ne: (v, a) => !pyEq(v, a[0]),
  lt: (v, a, pos) => pyCmp(v, a[0], pos) < 0,
  le: (v, a, pos) => pyCmp(v, a[0], pos) <= 0,
  gt: (v, a, pos) => pyCmp(v, a[0], pos) > 0,
  ge: (v, a, pos) => pyCmp(v, a[0], pos) >= 0,
  in: (v, a, pos) => contains(a[0], v, pos),
  divisibleby: (v, a, pos) => num(v, pos) % num(a[0], pos) === 0,
  even: (v, _a, pos) => num(v, pos) % 2 === 0,
  odd: (v, _a, pos) => Math.abs(num(v, pos) % 2) === 1,
  lower: (v) => pyStr(v) === pyStr(v).toLowerCase(),
  upper: (v) => pyStr(v) === pyStr(v).toUpperCase(),
  escaped: () => false,
  match: regexTest('match'),
  search: regexTest('search'),
  regex: (v, a, pos) => regexTest(a[3] === 'match' ? 'match' : 'search')(v, a, pos),
  version,
  version_compare: version,
  subset: (v, a, pos) => iter(v, pos).every((x) => iter(a[0], pos).some((y) => pyEq(x, y))),
  superset: (v, a, pos) => iter(a[0], pos).every((x) => iter(v, pos).some((y) => pyEq(x, y))),
  contains: (v, a, pos) => iter(v, pos).some((x) => pyEq(x, a[0])),
  any: (v, _a, pos) => iter(v, pos).some((x) => truthy(x, pos)),
  all: (v, _a, pos) => iter(v, pos).every((x) => truthy(x, pos)),
  truthy: (v, _a, pos) => truthy(v, pos),
  falsy: (v, _a, pos) => !truthy(v, pos),
  nan: (v) => (v instanceof PyFloat ? Number.isNaN(v.v) : false),
  failed: resultTest('failed'),
  changed: resultTest('changed'),
  skipped: resultTest('skipped'),
  finished: resultTest('finished'),
  succeeded: (v, a, pos) => !resultTest('failed')(v, a, pos),
  abs: (v) => pyStr(v).startsWith('/'),
  exists: (v) => existsSync(pyStr(v)),
  file: (v) => existsSync(pyStr(v)) && statSync(pyStr(v)).isFile(),
  directory: (v) => existsSync(pyStr(v)) && statSync(pyStr(v)).isDirectory(),
  link: (v) => {
    try {
      return lstatSync(pyStr(v)).isSymbolicLink();
    } catch {
      return false;
    }
  },
  vault_encrypted: (v) => typeof v === 'string' && v.startsWith('$ANSIBLE_VAULT;'),
};
tests['=='] = tests.eq;
tests.equalto = tests.eq;
tests['!='] = tests.ne;
tests['<'] = tests.lt;
tests['<='] = tests.le;
tests['>'] = tests.gt;
tests['>='] = tests.ge;
tests.greaterthan = tests.gt;
tests.lessthan = tests.lt;
tests.success = tests.succeeded;
tests.successful = tests.succeeded;
tests.change = tests.changed;
tests.skip = tests.skipped;
tests.fail = tests.failed;
tests.failure = tests.failed;
tests.is_abs = tests.abs;
tests.is_file = tests.file;
tests.is_dir = tests.directory;
tests.is_link = tests.link;
tests.issubset = tests.subset;
tests.issuperset = tests.superset;

Object.assign(TESTS, tests);
