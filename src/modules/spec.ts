import { parseBool } from '../bool.js';
import { BOOL, MODE, NAME_OR_ID, absPath, mode as modeOf, principal } from './args.js';
import { ModuleArgError, type CompileContext, type InputKind, type ModuleDef } from './types.js';

/**
 * The argument-spec layer (Ansible's argument_spec): a module declares its arguments once, with
 * aliases, defaults, types, choices and the rules between them, and receives canonical, typed
 * parameters. One normaliser below checks them all, so modules hold no hand-written alias
 * picking or "a and b cannot be used together" throws.
 *
 * Types, as the host-side bash wants them:
 *   str    any scalar, as a string            bool  Ansible boolean (src/bool.ts)
 *   int    whole number >= min (default 0)    path  absolute remote path, no newline
 *   mode   '' | 4-digit octal | symbolic      id    user/group name or id (chown-safe)
 *   list   list of strings (a comma-separated string is split, as in Ansible)
 *   raw    anything (the module checks it)
 */
export type ArgType = 'str' | 'bool' | 'int' | 'path' | 'mode' | 'id' | 'list' | 'raw';

export interface ArgSpec {
  type: ArgType;
  aliases?: readonly string[];
  required?: boolean;
  default?: unknown;
  choices?: readonly (string | number)[];
  /** int only: smallest accepted value (default 0). */
  min?: number;
}

type ValueOf<T extends ArgType> = T extends 'bool'
  ? boolean
  : T extends 'int'
    ? number
    : T extends 'list'
      ? string[]
      : T extends 'raw'
        ? unknown
        : string;

/** The parameters compile() receives: required or defaulted arguments are always set. */
export type Params<S extends Record<string, ArgSpec>> = {
  [K in keyof S]: S[K] extends { required: true } | { default: unknown } ? ValueOf<S[K]['type']> : ValueOf<S[K]['type']> | undefined;
};

/** Ansible's required_if: when `arg` equals `is`, all (or with anyOf, one) of `then` must be set. */
export interface RequiredIf {
  arg: string;
  is: unknown;
  then: readonly string[];
  anyOf?: boolean;
}

export interface ModuleSpec<S extends Record<string, ArgSpec>> {
  name: string;
  aliases?: string[];
  /** Argument a free-form string task (`command: ls -l`) maps to. */
  freeForm?: string;
  args: S;
  mutuallyExclusive?: readonly (readonly (keyof S & string)[])[];
  requiredOneOf?: readonly (readonly (keyof S & string)[])[];
  requiredTogether?: readonly (readonly (keyof S & string)[])[];
  requiredIf?: readonly RequiredIf[];
  /** Controller-side inputs: argument -> what the planner does with the local file it names. */
  inputs?: Partial<Record<keyof S & string, InputKind>>;
  compile(p: Params<S>, ctx: CompileContext): string;
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** JSON Schema for the loader's early check (types, choices, unknown keys with did-you-mean). */
function schemaOf(args: Record<string, ArgSpec>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, a] of Object.entries(args)) {
    let s: Record<string, unknown>;
    switch (a.type) {
      case 'bool':
        s = BOOL;
        break;
      case 'int':
        s = {
          anyOf: [
            { type: 'integer', minimum: a.min ?? 0 },
            { type: 'string', pattern: '^\\s*[0-9]+\\s*$' },
          ],
        };
        break;
      case 'mode':
        s = MODE;
        break;
      case 'id':
        s = NAME_OR_ID;
        break;
      case 'list':
        s = { anyOf: [{ type: 'array', items: { type: ['string', 'number'] } }, { type: 'string' }] };
        break;
      case 'raw':
        s = {};
        break;
      default:
        s = { type: 'string' };
    }
    if (a.choices) s = { ...s, enum: [...a.choices] };
    for (const n of [name, ...(a.aliases ?? [])]) props[n] = s;
    // Required with aliases cannot be said in JSON Schema simply: the normaliser checks it.
    if (a.required && !a.aliases?.length) required.push(name);
  }
  return { type: 'object', additionalProperties: false, properties: props, ...(required.length ? { required } : {}) };
}

function typed(name: string, a: ArgSpec, v: unknown): unknown {
  switch (a.type) {
    case 'bool': {
      const b = parseBool(v);
      if (b === undefined) throw new ModuleArgError(`${name} must be a boolean (yes/no, true/false), got ${JSON.stringify(v)}`, name);
      return b;
    }
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < (a.min ?? 0))
        throw new ModuleArgError(`${name} must be a whole number >= ${a.min ?? 0}, got ${JSON.stringify(v)}`, name);
      return n;
    }
    case 'path':
      return absPath(v, name);
    case 'mode':
      return modeOf(v, name);
    case 'id':
      return principal(v, name);
    case 'list':
      return Array.isArray(v)
        ? v.map(String)
        : String(v)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    case 'raw':
      return v;
    default:
      if (typeof v === 'object') throw new ModuleArgError(`${name} must be a string, got ${JSON.stringify(v)}`, name);
      return String(v);
  }
}

/**
 * Resolves aliases to canonical names, applies defaults and types, and checks choices and the
 * cross-argument rules. Idempotent: normalising canonical parameters gives them back.
 */
export function normalise<S extends Record<string, ArgSpec>>(spec: ModuleSpec<S>, raw: Record<string, unknown>): Params<S> {
  const out: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, a] of Object.entries(spec.args)) {
    const set = [name, ...(a.aliases ?? [])].filter((n) => isSet(raw[n]));
    if (set.length > 1) throw new ModuleArgError(`${set.join(' and ')} are the same argument: give only one`, set[1]);
    if (set.length === 0) {
      if (a.required) throw new ModuleArgError(`${name} is required`, name);
      if (a.default !== undefined) out[name] = typed(name, a, a.default);
      continue;
    }
    const v = raw[set[0]];
    given.add(name);
    if (a.choices && !a.choices.some((c) => String(c) === String(v))) {
      throw new ModuleArgError(
        `${set[0]} must be one of ${a.choices.map((c) => JSON.stringify(c)).join(', ')}; got ${JSON.stringify(v)}`,
        set[0],
      );
    }
    out[name] = typed(set[0], a, v);
  }
  for (const k of Object.keys(raw)) {
    if (isSet(raw[k]) && !Object.entries(spec.args).some(([n, a]) => n === k || a.aliases?.includes(k))) {
      throw new ModuleArgError(`${spec.name} has no argument "${k}"`, k);
    }
  }
  for (const group of spec.mutuallyExclusive ?? []) {
    const both = group.filter((n) => given.has(n));
    if (both.length > 1) throw new ModuleArgError(`${both.join(' and ')} cannot be used together`, both[1]);
  }
  for (const group of spec.requiredOneOf ?? []) {
    if (!group.some((n) => given.has(n))) throw new ModuleArgError(`one of ${group.join(', ')} is required`, group[0]);
  }
  for (const group of spec.requiredTogether ?? []) {
    const some = group.filter((n) => given.has(n));
    if (some.length > 0 && some.length < group.length) {
      throw new ModuleArgError(
        `${group.join(', ')} go together: ${some.join(', ')} given without ${group.filter((n) => !given.has(n)).join(', ')}`,
        some[0],
      );
    }
  }
  for (const r of spec.requiredIf ?? []) {
    if (!isSet(out[r.arg]) || String(out[r.arg]) !== String(r.is)) continue;
    const missing = r.then.filter((n) => !isSet(out[n]));
    if (r.anyOf ? missing.length === r.then.length : missing.length > 0) {
      const what = r.anyOf ? `one of ${r.then.join(', ')}` : missing.join(', ');
      throw new ModuleArgError(`${r.arg}: ${String(r.is)} needs ${what}`, missing[0]);
    }
  }
  return out as Params<S>;
}

/**
 * Turns a spec into the registry's ModuleDef. compile() accepts raw or canonical arguments
 * (it normalises them itself), so tests and the planner call it the same way.
 */
export function defineModule<const S extends Record<string, ArgSpec>>(spec: ModuleSpec<S>): ModuleDef {
  return {
    name: spec.name,
    ...(spec.aliases ? { aliases: spec.aliases } : {}),
    ...(spec.freeForm ? { freeForm: spec.freeForm } : {}),
    schema: schemaOf(spec.args),
    inputs: spec.inputs as Record<string, InputKind> | undefined,
    normalise: (args) => normalise(spec, args) as Record<string, unknown>,
    compile: (args, ctx) => spec.compile(normalise(spec, args), ctx),
  };
}
