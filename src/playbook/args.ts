import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorFor as precompiled, type SchemaSet } from '../ajv/precompiled.js';
import { InputError, suggest } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { ModuleDef } from '../modules/types.js';
import type { Task } from './model.js';
import type { ModuleRegistry } from './registry.js';
import { describeFirst, valueAt, type Wording } from './schema-errors.js';

// coerceTypes: `cache_valid_time: "3600"` (k=v form, rendered templates) becomes a number, as in
// Ansible. strict off: module schemas are written by their owners and may carry annotations.
// Every built-in module's schema is compiled at build time (src/ajv/precompiled.ts), by module name.
export const ARGS_SET: SchemaSet = {
  id: 'args',
  options: { allErrors: true, allowUnionTypes: true, strict: false, coerceTypes: true, verbose: true, validateSchema: false },
};
const compiled = new WeakMap<ModuleDef, ValidateFunction>();

function validatorFor(mod: ModuleDef): ValidateFunction {
  let v = compiled.get(mod);
  if (!v) {
    v = precompiled(ARGS_SET, mod.name, mod.schema);
    compiled.set(mod, v);
  }
  return v;
}

const YES = new Set(['yes', 'true', 'on', 'y']);
const NO = new Set(['no', 'false', 'off', 'n']);

/** `update_cache: yes` (a string in YAML 1.2) means true, as in Ansible. Top-level boolean args only. */
function normaliseBooleans(schema: Record<string, unknown>, args: Vars): void {
  const props = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  for (const [k, v] of Object.entries(args)) {
    const t = props[k]?.type;
    const isBool = t === 'boolean' || (Array.isArray(t) && t.includes('boolean'));
    if (!isBool || typeof v !== 'string') continue;
    const low = v.toLowerCase();
    if (YES.has(low)) args[k] = true;
    else if (NO.has(low)) args[k] = false;
  }
}

const isTemplated = (v: unknown): boolean => typeof v === 'string' && v.includes('{{');

/**
 * Checks a task's arguments against its module's JSON Schema. Before rendering (`rendered`
 * false) a string holding `{{` stands for any type. Booleans written yes/no and numbers
 * written as strings are normalised in place. Throws an InputError pointing at the argument.
 */
export function validateArgsWith(task: Task, args: Vars, rendered: boolean, modules: ModuleRegistry): void {
  const mod = modules.get(task.module);
  if (!mod) {
    const hint = suggest(task.module, modules.names());
    throw new InputError(`unknown module "${task.module}"${hint ? `; did you mean "${hint}"?` : ''}`, task.loc);
  }
  normaliseBooleans(mod.schema, args);
  const validate = validatorFor(mod);
  if (validate(args)) return;
  let errors: ErrorObject[] = validate.errors ?? [];
  if (!rendered) errors = errors.filter((e) => !isTemplated(valueAt(args, pointerPath(e.instancePath))));
  if (errors.length === 0) return;
  const props = Object.keys((mod.schema.properties ?? {}) as object);
  const argName = (path: Array<string | number>): string =>
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  const w: Wording = {
    name: (path) => (path.length === 0 ? `${mod.name} arguments` : `${mod.name} argument "${argName(path)}"`),
    unknownKey: (key, allowed, parent) => {
      const choices = parent.length === 0 ? props : allowed;
      const hint = suggest(key, choices);
      const where = parent.length === 0 ? mod.name : `${mod.name} argument "${argName(parent)}"`;
      const tail = hint ? `; did you mean "${hint}"?` : choices.length > 0 ? ` (it takes: ${choices.join(', ')})` : '';
      return `${where} has no argument "${key}"${tail}`;
    },
    missing: (path) => `${mod.name} requires argument "${argName(path)}"`,
  };
  const d = describeFirst(errors, args, w);
  const top = d.path[0];
  const loc = (top !== undefined && task.argLocs?.[String(top)]) || task.moduleLoc || task.loc;
  throw new InputError(`task "${task.name}": ${d.message}`, loc);
}

function pointerPath(p: string): string[] {
  return p === ''
    ? []
    : p
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
