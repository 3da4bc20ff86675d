import { posix } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { TemplateContext } from './context.js';
import { getPassword } from './password.js';
import { errAt, isHelperOpts, type HelperOpts } from './template-error.js';

/**
 * Helpers available in `{{ }}` (task arguments and .hbs files). Every helper gets its
 * arguments followed by Handlebars' options object; `split` separates them.
 * Helpers that need a value refuse `undefined` with an error at the helper's line, because
 * a missing variable passed to a helper is not caught by strict mode (only `default`, the
 * comparison and logic helpers accept it, so `{{#if (eq maybe "x")}}` works).
 */
type Helper = (...args: unknown[]) => unknown;

function split(args: unknown[]): { a: unknown[]; opts: HelperOpts | undefined } {
  const last = args[args.length - 1];
  return isHelperOpts(last) ? { a: args.slice(0, -1), opts: last } : { a: args, opts: undefined };
}

function need(name: string, v: unknown, opts: HelperOpts | undefined, what = 'its first argument'): void {
  if (v === undefined)
    throw errAt(opts, `helper "${name}": ${what} is not defined (use {{default VAR "fallback"}} for an optional variable)`);
}

function str(name: string, v: unknown, opts: HelperOpts | undefined): string {
  need(name, v, opts);
  if (v === null) return '';
  if (typeof v === 'object') throw errAt(opts, `helper "${name}" needs a string, got ${Array.isArray(v) ? 'a list' : 'a dictionary'}`);
  return String(v);
}

export function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  const kx = Object.keys(x);
  const ky = Object.keys(y);
  if (kx.length !== ky.length) return false;
  return kx.every((k) => Object.hasOwn(y, k) && deepEqual((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
}

function compare(name: string, args: unknown[], test: (c: number) => boolean): boolean {
  const { a, opts } = split(args);
  const [x, y] = a;
  if (typeof x === 'number' && typeof y === 'number') return test(x - y);
  if (typeof x === 'string' && typeof y === 'string') return test(x < y ? -1 : x > y ? 1 : 0);
  throw errAt(opts, `helper "${name}" compares two numbers or two strings, got ${typeName(x)} and ${typeName(y)}`);
}

export function typeName(v: unknown): string {
  if (v === undefined) return 'an undefined value';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a dictionary' : `a ${typeof v}`;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

/** Jinja's indent: every line but the first (unless `first`), blank lines left alone. */
export function indentText(text: string, n: number, first: boolean): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l, i) => ((i > 0 || first) && l.trim() !== '' ? pad + l : l))
    .join('\n');
}

export function helpers(): Record<string, Helper> {
  return {
    default(...args) {
      const { a } = split(args);
      const [v, fallback, orFalsy] = a;
      if (v === undefined || (orFalsy === true && !truthy(v))) return fallback;
      return v;
    },
    join(...args) {
      const { a, opts } = split(args);
      need('join', a[0], opts);
      if (!Array.isArray(a[0])) throw errAt(opts, `helper "join" needs a list, got ${typeName(a[0])}`);
      const sep = a.length > 1 ? str('join', a[1], opts) : '';
      return a[0].map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x ?? ''))).join(sep);
    },
    to_json(...args) {
      const { a, opts } = split(args);
      need('to_json', a[0], opts);
      return JSON.stringify(a[0]);
    },
    to_nice_json(...args) {
      const { a, opts } = split(args);
      need('to_nice_json', a[0], opts);
      return JSON.stringify(a[0], null, 4);
    },
    to_yaml(...args) {
      const { a, opts } = split(args);
      need('to_yaml', a[0], opts);
      return toYaml(a[0]).replace(/\n$/, '');
    },
    to_nice_yaml(...args) {
      const { a, opts } = split(args);
      need('to_nice_yaml', a[0], opts);
      return toYaml(a[0], { indent: 2 }).replace(/\n$/, '');
    },
    indent(...args) {
      const { a, opts } = split(args);
      const n = a[1] === undefined ? 4 : Number(a[1]);
      if (!Number.isInteger(n) || n < 0) throw errAt(opts, `helper "indent": width must be a whole number, got ${String(a[1])}`);
      return indentText(str('indent', a[0], opts), n, a[2] === true);
    },
    eq: (...args) => deepEqual(split(args).a[0], split(args).a[1]),
    ne: (...args) => !deepEqual(split(args).a[0], split(args).a[1]),
    lt: (...args) => compare('lt', args, (c) => c < 0),
    le: (...args) => compare('le', args, (c) => c <= 0),
    gt: (...args) => compare('gt', args, (c) => c > 0),
    ge: (...args) => compare('ge', args, (c) => c >= 0),
    and: (...args) => split(args).a.every(truthy),
    or: (...args) => split(args).a.some(truthy),
    not: (...args) => !truthy(split(args).a[0]),
    upper(...args) {
      const { a, opts } = split(args);
      return str('upper', a[0], opts).toUpperCase();
    },
    lower(...args) {
      const { a, opts } = split(args);
      return str('lower', a[0], opts).toLowerCase();
    },
    trim(...args) {
      const { a, opts } = split(args);
      return str('trim', a[0], opts).trim();
    },
    replace(...args) {
      const { a, opts } = split(args);
      const s = str('replace', a[0], opts);
      need('replace', a[1], opts, 'the text to replace');
      return s.split(String(a[1])).join(a[2] === undefined || a[2] === null ? '' : String(a[2]));
    },
    basename(...args) {
      const { a, opts } = split(args);
      return posix.basename(str('basename', a[0], opts));
    },
    dirname(...args) {
      const { a, opts } = split(args);
      return posix.dirname(str('dirname', a[0], opts));
    },
    b64encode(...args) {
      const { a, opts } = split(args);
      return Buffer.from(str('b64encode', a[0], opts), 'utf8').toString('base64');
    },
    b64decode(...args) {
      const { a, opts } = split(args);
      return Buffer.from(str('b64decode', a[0], opts), 'base64').toString('utf8');
    },
    length(...args) {
      const { a, opts } = split(args);
      const v = a[0];
      need('length', v, opts);
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v !== null && typeof v === 'object') return Object.keys(v).length;
      throw errAt(opts, `helper "length" needs a string, list or dictionary, got ${typeName(v)}`);
    },
    password(...args) {
      const { a, opts } = split(args);
      const name = str('password', a[0], opts);
      const ctx = opts?.data?.chomCtx as TemplateContext | undefined;
      if (!ctx) throw errAt(opts, 'helper "password" is not available here (no project context)');
      const len = a[1] === undefined ? 32 : Number(a[1]);
      try {
        return getPassword(ctx, name, len);
      } catch (err) {
        throw errAt(opts, (err as Error).message);
      }
    },
  };
}

export const HELPER_NAMES: readonly string[] = Object.keys(helpers());
