import { InputError, type SourceLoc } from '../errors.js';

/**
 * Typing of keyword values, done once by the loader at the key's own file:line:col (as Ansible's
 * FieldAttributes are typed). A value holding `{{ }}` is known only per host: it stays a string
 * and the planner renders it (and checks the result against the same rule).
 */

/** A keyword value known now, or a template rendered per host. */
export type Templated<T> = T | string;

export const isTemplate = (v: unknown): v is string => typeof v === 'string' && v.includes('{{');

/** A whole number >= min (retries, delay, timeout, min_disk_free_mb), digits in a string accepted. */
export function intKeyword(key: string, v: unknown, min: number, loc: SourceLoc): Templated<number> | undefined {
  if (v === undefined || v === null) return undefined;
  if (isTemplate(v)) return v;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min) throw new InputError(`${key} must be a whole number >= ${min}, got ${JSON.stringify(v)}`, loc);
  return n;
}

/** serial: a host count, a percentage ("30%"), or a list of them (the last one repeats). */
export function serialKeyword(v: unknown, loc: SourceLoc): Array<number | string> | undefined {
  if (v === undefined || v === null) return undefined;
  const steps = Array.isArray(v) ? v : [v];
  for (const s of steps) {
    const ok = (typeof s === 'number' && Number.isInteger(s) && s >= 0) || (typeof s === 'string' && /^\s*\d+(?:\.\d+)?\s*%?\s*$/.test(s));
    if (!ok)
      throw new InputError(
        `serial: ${JSON.stringify(s)} is not a host count or a percentage`,
        loc,
        'write serial: 2, serial: "30%" or serial: [1, 5, "50%"]',
      );
  }
  return steps as Array<number | string>;
}

/** max_fail_percentage: 0..100, "%" allowed. */
export function percentKeyword(v: unknown, loc: SourceLoc): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v.replace(/%\s*$/, '')) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InputError(
      `max_fail_percentage: ${JSON.stringify(v)} is not a percentage between 0 and 100`,
      loc,
      'write max_fail_percentage: 0 to stop at the first failed host',
    );
  }
  return n;
}

/** A string or a list of strings (notify, listen) as a list. */
export function strListKeyword(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}
