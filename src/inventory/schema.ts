import type { ErrorObject, ValidateFunction } from 'ajv';
import { validatorFor, type SchemaSet } from '../ajv/precompiled.js';
import { InputError, suggest } from '../errors.js';
import type { YamlFile } from '../yaml/read.js';

/** The keys Ansible's YAML inventory accepts under a group. */
export const GROUP_KEYS = ['hosts', 'children', 'vars'] as const;

const groupSchema = {
  $id: 'chom:inventory-group',
  type: ['object', 'null'],
  properties: {
    hosts: { type: ['object', 'null'], additionalProperties: { type: ['object', 'null'] } },
    children: { type: ['object', 'null'], additionalProperties: { $ref: 'chom:inventory-group' } },
    vars: { type: ['object', 'null'] },
  },
  additionalProperties: false,
};

/** Top level: every key is a group (`all`, or any other group, which becomes a child of all). */
const inventorySchema = {
  $id: 'chom:inventory',
  type: ['object', 'null'],
  additionalProperties: { $ref: 'chom:inventory-group' },
};

const varsFileSchema = { $id: 'chom:vars-file', type: ['object', 'null'] };

// Compiled at build time (src/ajv/precompiled.ts), and without checking the schemas against the
// meta-schema: both cost tens of milliseconds on every CLI start (see bench/).
export const INVENTORY_SET: SchemaSet = {
  id: 'inventory',
  options: { allErrors: true, allowUnionTypes: true, strict: true, validateSchema: false },
  shared: [groupSchema],
};
export const INVENTORY_SCHEMAS = { inventory: inventorySchema, varsFile: varsFileSchema };
const compiled = new Map<object, ValidateFunction>();
function validator(name: keyof typeof INVENTORY_SCHEMAS): ValidateFunction {
  const schema = INVENTORY_SCHEMAS[name];
  let v = compiled.get(schema);
  if (!v) compiled.set(schema, (v = validatorFor(INVENTORY_SET, name, schema)));
  return v;
}

/** Throws an InputError at the first problem (in file order) of an inventory YAML file. */
export function checkInventoryShape(y: YamlFile): void {
  const validateInventory = validator('inventory');
  if (validateInventory(y.value)) return;
  throwFirst(y, validateInventory.errors ?? [], inventoryMessage);
}

/** group_vars / host_vars files hold one mapping of variables (or nothing). */
export function checkVarsFileShape(y: YamlFile): void {
  const validateVarsFile = validator('varsFile');
  if (validateVarsFile(y.value)) return;
  throwFirst(y, validateVarsFile.errors ?? [], () => ({
    msg: `a vars file must hold a mapping of variable names to values, not ${kindOf(y.value)}`,
    hint: 'write `name: value` lines at the top level of the file',
    key: false,
  }));
}

interface Described {
  msg: string;
  hint?: string;
  /** Point at the offending key rather than at the value. */
  key: boolean;
  path?: string[];
}

function throwFirst(y: YamlFile, errors: ErrorObject[], describe: (e: ErrorObject, path: string[], value: unknown) => Described): never {
  const located = errors.map((e) => {
    const path = pointerToPath(e.instancePath);
    const d = describe(e, path, valueAt(y.value, path));
    const p = d.path ?? path;
    return { d, loc: d.key ? y.keyLocOf(p) : y.locOf(p) };
  });
  located.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
  const first = located[0];
  const more = located.length > 1 ? ` (and ${located.length - 1} more problem${located.length > 2 ? 's' : ''} in this file)` : '';
  throw new InputError(first.d.msg + more, first.loc, first.d.hint);
}

/** Turns one ajv error on the inventory file into words a user can act on. */
function inventoryMessage(e: ErrorObject, path: string[], value: unknown): Described {
  const where = describePath(path);
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const guess = suggest(key, GROUP_KEYS);
    return {
      msg: `${where} has unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ''}`,
      hint: `a group may only hold ${GROUP_KEYS.join(', ')}; put hosts under "hosts:", sub-groups under "children:", variables under "vars:"`,
      key: true,
      path: [...path, key],
    };
  }
  const last = path[path.length - 1];
  const parentKey = path[path.length - 2];
  let expected: string;
  let hint: string | undefined;
  if (path.length === 0) {
    expected = 'a mapping of group names (start with `all:`)';
  } else if (last === 'hosts' && path.length % 2 === 0) {
    expected = 'a mapping of host names to their variables (or empty)';
    hint = value !== null && Array.isArray(value) ? 'write each host as a key: `hosts:` then `  h1:` on the next line, not `- h1`' : undefined;
  } else if (last === 'children' && path.length % 2 === 0) {
    expected = 'a mapping of group names';
    hint = Array.isArray(value) ? 'write each child group as a key (`web:`), not a list item' : undefined;
  } else if (last === 'vars' && path.length % 2 === 0) {
    expected = 'a mapping of variable names to values';
  } else if (parentKey === 'hosts') {
    expected = 'a mapping of variables (or empty)';
    hint = 'write `h1:` alone, or `h1:` followed by indented `name: value` lines';
  } else {
    expected = 'a mapping with hosts, children or vars (or empty)';
  }
  return { msg: `${where} must be ${expected}, not ${kindOf(value)}`, hint, key: false };
}

/** ['all','children','web','hosts','h1'] -> 'host "h1" in group "web"'. */
function describePath(path: string[]): string {
  if (path.length === 0) return 'the inventory';
  // Even indexes hold group or host names, odd indexes the keys hosts/children/vars.
  const group = groupOf(path);
  const last = path[path.length - 1];
  if (path.length % 2 === 0) return `"${last}" of group "${group}"`;
  if (path[path.length - 2] === 'hosts') return `host "${last}" in group "${group}"`;
  return `group "${last}"`;
}

function groupOf(path: string[]): string {
  // Group names sit at even indexes: 0, 2 (after 'children'), 4, ...
  let g = path[0];
  for (let i = 1; i + 1 < path.length; i += 2) if (path[i] === 'children') g = path[i + 1];
  return g;
}

function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, path: string[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `the ${typeof v} ${JSON.stringify(v)}`;
}
