import { suggest } from '../errors.js';
import type { ErrorObject } from 'ajv';

/** One ajv failure turned into words, with the YAML path it is about. */
export interface Described {
  /** Path inside the validated value (keys and indexes). */
  path: Array<string | number>;
  /** True when the KEY at `path` is the culprit (unknown key), so point at it, not its value. */
  atKey: boolean;
  message: string;
}

export interface Wording {
  /** How to name the value at a path, e.g. `argument "state"` or `"gather_facts"`. */
  name(path: Array<string | number>): string;
  /** Message for a key that is not allowed at `parent`. */
  unknownKey(key: string, allowed: string[], parent: Array<string | number>): string;
  /** Message for a missing required key at `path`. */
  missing(path: Array<string | number>): string;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'a boolean',
  integer: 'an integer',
  number: 'a number',
  null: 'empty',
};

export function typeWords(t: unknown): string {
  const list = (Array.isArray(t) ? t : [t]).map((x) => TYPE_WORDS[String(x)] ?? String(x));
  const u = [...new Set(list)];
  return u.length <= 1 ? (u[0] ?? '') : `${u.slice(0, -1).join(', ')} or ${u[u.length - 1]}`;
}

/** Short human description of a value, for "got ..." messages. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${String(v)}`;
}

function splitPointer(p: string): string[] {
  return p === ''
    ? []
    : p
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function toPath(p: string, data: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  let cur: unknown = data;
  for (const seg of splitPointer(p)) {
    const k: string | number = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(k);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

export function valueAt(data: unknown, path: Array<string | number>): unknown {
  let cur = data;
  for (const k of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[String(k)] : undefined;
  return cur;
}

/** Children of an anyOf/oneOf failure are explained by the parent: drop them. */
function isChildOf(e: ErrorObject, parent: ErrorObject): boolean {
  return e !== parent && e.instancePath === parent.instancePath && e.schemaPath.startsWith(parent.schemaPath + '/');
}

/** Picks the most useful of ajv's errors (unknown keys first, then missing, then the rest). */
export function describeFirst(errors: ErrorObject[], data: unknown, w: Wording): Described {
  const rank = (e: ErrorObject): number => (e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 1 : 2);
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const top = errors.filter((e) => !unions.some((u) => isChildOf(e, u)));
  const e = [...top].sort((a, b) => rank(a) - rank(b))[0] ?? errors[0];
  const path = toPath(e.instancePath, data);
  const value = valueAt(data, path);
  const expect = (e.parentSchema as Record<string, unknown> | undefined)?.['x-expect'];
  if (typeof expect === 'string' && e.keyword !== 'additionalProperties' && e.keyword !== 'required') {
    return { path, atKey: false, message: `${w.name(path)} must be ${expect}, got ${describeValue(value)}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const props = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: [...path, key], atKey: true, message: w.unknownKey(key, props, path) };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return { path, atKey: false, message: w.missing([...path, missing]) };
    }
    case 'type':
      return {
        path,
        atKey: false,
        message: `${w.name(path)} must be ${typeWords((e.params as { type: unknown }).type)}, got ${describeValue(value)}`,
      };
    case 'enum':
      return { path, atKey: false, message: enumMessage(w.name(path), (e.params as { allowedValues: unknown[] }).allowedValues, value) };
    case 'anyOf':
    case 'oneOf':
      return { path, atKey: false, message: unionMessage(e, errors, w, path, value) };
    default:
      return { path, atKey: false, message: `${w.name(path)} ${e.message ?? 'is invalid'}` };
  }
}

export function enumMessage(name: string, allowed: unknown[], value: unknown): string {
  const choices = allowed.map((a) => JSON.stringify(a)).join(', ');
  const hint = typeof value === 'string' ? suggest(value, allowed.map(String)) : undefined;
  return `${name} must be one of ${choices}; got ${describeValue(value)}${hint ? `; did you mean "${hint}"?` : ''}`;
}

function unionMessage(u: ErrorObject, all: ErrorObject[], w: Wording, path: Array<string | number>, value: unknown): string {
  const expect = (u.parentSchema as Record<string, unknown> | undefined)?.['x-expect'];
  if (typeof expect === 'string') return `${w.name(path)} must be ${expect}, got ${describeValue(value)}`;
  if (u.keyword === 'oneOf' && (u.params as { passingSchemas?: unknown }).passingSchemas) {
    return `${w.name(path)} matches more than one allowed form (${u.message ?? 'oneOf'}); give only one of the alternatives`;
  }
  const kids = all.filter((e) => isChildOf(e, u));
  const required = kids
    .filter((k) => k.keyword === 'required')
    .map((k) => `"${String((k.params as { missingProperty: string }).missingProperty)}"`);
  if (required.length > 0 && required.length === kids.length) return `${w.name(path)} needs one of ${[...new Set(required)].join(', ')}`;
  const types = kids.filter((k) => k.keyword === 'type').flatMap((k) => [(k.params as { type: unknown }).type].flat());
  const enums = kids.filter((k) => k.keyword === 'enum').flatMap((k) => (k.params as { allowedValues: unknown[] }).allowedValues);
  if (enums.length > 0 && types.length > 0) {
    return `${w.name(path)} must be ${typeWords(types)} or one of ${enums.map((a) => JSON.stringify(a)).join(', ')}; got ${describeValue(value)}`;
  }
  if (enums.length > 0) return enumMessage(w.name(path), enums, value);
  if (types.length > 0) return `${w.name(path)} must be ${typeWords(types)}, got ${describeValue(value)}`;
  return `${w.name(path)} ${u.message ?? 'is invalid'}`;
}
