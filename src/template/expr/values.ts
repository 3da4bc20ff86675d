import { deepEqual } from '../helpers.js';
import { ExprError } from './lexer.js';
import { parseBool } from '../../bool.js';

/**
 * What an expression node evaluates to at compile time:
 *   known  - a value from vars/facts/literals
 *   undef  - a variable (path) that does not exist; only `is defined`, `default()` accept it
 *   the rest are runtime values of registered results, carried as bash text:
 *   bool   - a bash condition (exit status), `atomic` when it needs no grouping
 *   int    - a bash word that expands to a decimal integer (safe in [[ -eq ]])
 *   str    - a double-quoted bash word that expands to the string
 *   lines  - like str, compared line by line (stdout_lines)
 *   reg    - the registered result itself (`out`), or a dictionary inside it (`st.stat`: path)
 */
export type Val =
  | { k: 'known'; v: unknown }
  | { k: 'undef'; name: string; pos: number; end: number }
  | { k: 'bool'; code: string; atomic: boolean }
  | { k: 'int'; w: string }
  | { k: 'str'; w: string }
  | { k: 'lines'; w: string }
  | { k: 'reg'; name: string; path?: readonly string[] };

export type Dyn = Exclude<Val, { k: 'known' } | { k: 'undef' }>;

export const known = (v: unknown): Val => ({ k: 'known', v });

/** Python truthiness (Jinja's `if`): empty string/list/dict, 0, false, none are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return Boolean(v);
}

export function kind(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a dictionary';
  return `a ${typeof v}`;
}

export function compareKnown(op: string, a: unknown, b: unknown, pos: number, end: number): boolean {
  if (op === '==') return deepEqual(a, b);
  if (op === '!=') return !deepEqual(a, b);
  const ok = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  if (!ok)
    throw new ExprError(
      `cannot compare ${kind(a)} with ${kind(b)} using "${op}"`,
      pos,
      end,
      typeof a === 'string' || typeof b === 'string' ? 'convert with | int first' : undefined,
    );
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    default:
      return x >= y;
  }
}

export function inKnown(a: unknown, b: unknown, pos: number, end: number): boolean {
  if (Array.isArray(b)) return b.some((x) => deepEqual(a, x));
  if (typeof b === 'string') {
    if (typeof a !== 'string') throw new ExprError(`"in" a string needs a string on the left, got ${kind(a)}`, pos, end);
    return b.includes(a);
  }
  if (b !== null && typeof b === 'object') return typeof a === 'string' && Object.hasOwn(b, a);
  throw new ExprError(`"in" needs a list, string or dictionary on the right, got ${kind(b)}`, pos, end);
}

/** Ansible's `bool` filter. */
export function toBool(v: unknown): boolean {
  return parseBool(v) === true;
}

/** Jinja's `int` filter: numbers truncated, numeric strings parsed, anything else 0. */
export function toInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    const n = Number(v.trim());
    return Number.isFinite(n) && v.trim() !== '' ? Math.trunc(n) : 0;
  }
  return 0;
}
