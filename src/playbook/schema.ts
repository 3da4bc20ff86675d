import type { ValidateFunction } from 'ajv';
import { validatorFor, type SchemaSet } from '../ajv/precompiled.js';
import { InputError, suggest } from '../errors.js';
import type { YamlFile } from '../yaml/read.js';
import { describeFirst, type Wording } from './schema-errors.js';
import { parseBool } from '../bool.js';

// validateSchema off: checking our own schemas against the JSON Schema meta-schema cost ~40 ms of
// every CLI start (the meta-schema is compiled first); strict mode still rejects unknown keywords.
// Compiled at build time (src/ajv/precompiled.ts), with these options.
export const PLAYBOOK_SET: SchemaSet = {
  id: 'playbook',
  options: { allErrors: true, allowUnionTypes: true, strict: true, verbose: true, validateSchema: false },
  vocabulary: ['x-expect'],
};

/**
 * Every spelling src/bool.ts reads (Ansible's boolean(): yes/no, y/n, on/off, true/false, t/f,
 * 1/0, any case): a keyword the schema accepts is one parseBool understands, and no other.
 */
const BOOL_PATTERN = '^\\s*(?:[Yy](?:[Ee][Ss])?|[Nn][Oo]?|[Oo](?:[Nn]|[Ff][Ff])|[Tt](?:[Rr][Uu][Ee])?|[Ff](?:[Aa][Ll][Ss][Ee])?|1|0)\\s*$';
const bool = {
  anyOf: [{ type: 'boolean' }, { type: 'integer', enum: [0, 1] }, { type: 'string', pattern: BOOL_PATTERN }],
  'x-expect': 'a boolean (true/false, yes/no)',
};
const str = { type: 'string' };
const tags = { type: ['string', 'number', 'array'], items: { type: ['string', 'number'] } };
const cond = { type: ['string', 'boolean', 'array'], items: { type: ['string', 'boolean'] } };
const strList = { type: ['string', 'array'], items: { type: 'string' } };
const mapping = { type: ['object', 'null'] };
const list = { type: ['array', 'null'] };
const intOrTemplate = { type: ['integer', 'string'] };
const identifier = {
  type: 'string',
  pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
  'x-expect': 'a variable name (letters, digits and _, not starting with a digit)',
};

/** Keywords shared by tasks, blocks and includes that pass down to the tasks inside. */
/** A boolean, or a "{{ expression }}" rendered per host by the planner. */
const boolOrTemplate = { anyOf: [bool, { type: 'string', pattern: '\\{\\{' }], 'x-expect': 'a boolean or a "{{ expression }}"' };
const environment = { type: ['object', 'string', 'array', 'null'] };
const inheritable = {
  name: str,
  tags,
  when: cond,
  become: boolOrTemplate,
  become_user: str,
  vars: mapping,
  ignore_errors: boolOrTemplate,
  no_log: boolOrTemplate,
  environment,
  run_once: bool,
};

export const TASK_KEYWORD_PROPS = {
  ...inheritable,
  loop: {},
  with_items: {},
  with_first_found: {},
  with_list: {},
  with_dict: {},
  with_subelements: {},
  with_together: {},
  with_nested: {},
  with_cartesian: {},
  with_indexed_items: {},
  with_sequence: {},
  loop_control: {
    type: 'object',
    properties: { loop_var: identifier, label: {}, index_var: identifier, extended: bool },
    additionalProperties: false,
  },
  notify: strList,
  listen: strList,
  register: identifier,
  changed_when: cond,
  failed_when: cond,
  args: { type: 'object' },
  retries: intOrTemplate,
  delay: { type: ['number', 'string'] },
  until: cond,
  timeout: intOrTemplate,
  check_mode: bool,
  diff: bool,
};
export const TASK_KEYWORDS = Object.keys(TASK_KEYWORD_PROPS);

export const BLOCK_KEYWORDS = ['block', 'rescue', 'always', ...Object.keys(inheritable)];
/** Keywords of include_tasks / include_role (loops are expanded per host by the planner). */
const includeProps = {
  ...inheritable,
  loop: {},
  with_items: {},
  with_list: {},
  with_dict: {},
  with_subelements: {},
  with_together: {},
  with_nested: {},
  with_indexed_items: {},
  with_sequence: {},
  loop_control: TASK_KEYWORD_PROPS.loop_control,
  args: { type: 'object' },
};
export const INCLUDE_KEYWORDS = Object.keys(includeProps);
/** Arguments of include_role / import_role (Ansible's names). */
export const ROLE_INCLUDE_ARGS = [
  'name',
  'tasks_from',
  'vars_from',
  'defaults_from',
  'handlers_from',
  'public',
  'apply',
  'allow_duplicates',
  'rolespec_validate',
];
const roleIncludeSchema = {
  type: 'object',
  properties: {
    name: str,
    tasks_from: str,
    vars_from: str,
    defaults_from: str,
    handlers_from: str,
    public: bool,
    apply: { type: 'object', properties: inheritable, additionalProperties: false },
    allow_duplicates: bool,
    rolespec_validate: bool,
  },
  required: ['name'],
  additionalProperties: false,
};
const taskIncludeSchema = {
  type: 'object',
  properties: { file: str, apply: { type: 'object', properties: inheritable, additionalProperties: false } },
  required: ['file'],
  additionalProperties: false,
};

const playSchema = {
  type: 'object',
  properties: {
    name: str,
    hosts: strList,
    vars: mapping,
    vars_files: { type: ['array', 'string'], items: {} },
    roles: list,
    pre_tasks: list,
    tasks: list,
    post_tasks: list,
    handlers: list,
    tags,
    become: bool,
    become_user: str,
    environment,
    connection: { type: 'string', enum: ['local', 'ssh', 'smart', 'paramiko', 'openssh'], 'x-expect': '"local" or "ssh"' },
    gather_facts: { anyOf: [bool, { type: 'string', pattern: '\\{\\{' }], 'x-expect': 'a boolean or a "{{ expression }}"' },
    serial: { type: ['integer', 'string', 'array'] },
    max_fail_percentage: { type: ['number', 'string'] },
    rollback_on_failure: bool,
    min_disk_free_mb: { type: ['number', 'string'] },
    any_errors_fatal: bool,
  },
  required: ['hosts'],
  additionalProperties: false,
};
export const PLAY_KEYWORDS = Object.keys(playSchema.properties);

const importPlaybookSchema = {
  type: 'object',
  properties: { import_playbook: str, 'ansible.builtin.import_playbook': str, name: str, tags },
  additionalProperties: false,
};

const taskKeywordsSchema = { type: 'object', properties: TASK_KEYWORD_PROPS };
const blockSchema = {
  type: 'object',
  properties: { ...inheritable, block: { type: 'array' }, rescue: list, always: list },
  additionalProperties: false,
};
const includeSchema = { type: 'object', properties: includeProps };

const roleEntrySchema = {
  type: 'object',
  properties: { role: str, name: str, vars: mapping, tags, when: cond },
  additionalProperties: false,
};

const metaSchema = {
  type: ['object', 'null'],
  properties: {
    galaxy_info: mapping,
    dependencies: list,
    allow_duplicates: bool,
    requires: {
      type: 'object',
      properties: {
        cpu: { type: 'number', minimum: 0 },
        memory_mb: { type: 'number', minimum: 0 },
        disk_gb: { type: 'number', minimum: 0 },
        disk_free_gb: { type: 'number', minimum: 0 },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
};

/** Every structure schema, by name: scripts/ajv-standalone.mjs compiles them at build time. */
export const PLAYBOOK_SCHEMAS = {
  play: playSchema,
  importPlaybook: importPlaybookSchema,
  taskKeywords: taskKeywordsSchema,
  block: blockSchema,
  include: includeSchema,
  roleInclude: roleIncludeSchema,
  taskInclude: taskIncludeSchema,
  roleEntry: roleEntrySchema,
  meta: metaSchema,
};

/** Looked up on first use: a run needs only some of them. */
function lazy(name: keyof typeof PLAYBOOK_SCHEMAS): () => ValidateFunction {
  let v: ValidateFunction | undefined;
  return () => (v ??= validatorFor(PLAYBOOK_SET, name, PLAYBOOK_SCHEMAS[name]));
}
const compiled = {
  play: lazy('play'),
  importPlaybook: lazy('importPlaybook'),
  taskKeywords: lazy('taskKeywords'),
  block: lazy('block'),
  include: lazy('include'),
  roleInclude: lazy('roleInclude'),
  taskInclude: lazy('taskInclude'),
  roleEntry: lazy('roleEntry'),
  meta: lazy('meta'),
};

export const validators = {
  get play() {
    return compiled.play();
  },
  get importPlaybook() {
    return compiled.importPlaybook();
  },
  get taskKeywords() {
    return compiled.taskKeywords();
  },
  get block() {
    return compiled.block();
  },
  get include() {
    return compiled.include();
  },
  get roleInclude() {
    return compiled.roleInclude();
  },
  get taskInclude() {
    return compiled.taskInclude();
  },
  get roleEntry() {
    return compiled.roleEntry();
  },
  get meta() {
    return compiled.meta();
  },
};

/** Ansible keywords that exist but chom-play does not implement: said so, never ignored. */
export const UNSUPPORTED_PLAY = new Set([
  'vars_prompt',
  'remote_user',
  'strategy',
  'order',
  'gather_subset',
  'gather_timeout',
  'force_handlers',
  'module_defaults',
  'collections',
  'port',
  'throttle',
  'run_once',
  'ignore_errors',
  'ignore_unreachable',
  'no_log',
  'check_mode',
  'diff',
  'debugger',
  'fact_path',
  'become_method',
  'become_flags',
]);
export const UNSUPPORTED_TASK = new Set([
  'delegate_to',
  'delegate_facts',
  'async',
  'poll',
  'throttle',
  'local_action',
  'action',
  'connection',
  'remote_user',
  'any_errors_fatal',
  'debugger',
  'module_defaults',
  'collections',
  'port',
  'become_method',
  'become_flags',
  'become_exe',
  'ignore_unreachable',
  'with_fileglob',
  'with_lines',
  'with_random_choice',
  'with_flattened',
  'with_file',
  'with_template',
  'with_inventory_hostnames',
]);

/** What to do instead, for task keywords chom-play refuses (said with the error). */
export const UNSUPPORTED_TASK_HINTS: Partial<Record<string, string>> = {
  delegate_to:
    "a host's tasks run in one script on that host: put the step in a play for the other host (hosts: localhost runs on the controller)",
  local_action: 'put the step in a play with hosts: localhost (it runs on the controller)',
  connection:
    "a host's tasks run in one script on that host: use a play with hosts: localhost (or connection: local on the play) for controller steps",
  async: 'run it synchronously (timeout: limits its time), or start a systemd unit for background work',
  with_fileglob: 'list the files, or use the find module and loop over its result',
};

/** Standard wording for keyword mappings (plays, tasks, blocks, role entries, meta). */
export function keywordWording(what: string, unsupported: ReadonlySet<string> = new Set(), extraHint = ''): Wording {
  const name = (path: Array<string | number>): string =>
    path.length === 0
      ? what
      : `"${path
          .map((p) => (typeof p === 'number' ? `[${p}]` : p))
          .join('.')
          .replace(/\.\[/g, '[')}"`;
  return {
    name,
    unknownKey: (key, allowed, parent) => {
      if (parent.length === 0 && unsupported.has(key)) return `${what} keyword "${key}" is not supported by chom-play`;
      const hint = suggest(key, allowed);
      const where = parent.length === 0 ? `${what} keyword "${key}"` : `key "${key}" in ${name(parent)}`;
      return `unknown ${where}${hint ? `; did you mean "${hint}"?` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}${extraHint}`;
    },
    missing: (path) => `${what} needs ${name(path)}`,
  };
}

/**
 * Runs a structure validator on the value found at `base` in a YAML file; throws an
 * InputError at the offending key (or value) with `prefix` (e.g. `task "x": `) in front.
 */
export function check(v: ValidateFunction, value: unknown, yf: YamlFile, base: Array<string | number>, w: Wording, prefix = ''): void {
  if (v(value)) return;
  const d = describeFirst(v.errors ?? [], value, w);
  const full = [...base, ...d.path];
  const loc = d.path.length === 0 ? yf.locOf(base) : yf.keyLocOf(full);
  throw new InputError(`${prefix}${d.message}`, loc);
}

/** After schema checks: true/false from a boolean or a yes/no word (Ansible's, src/bool.ts). */
export function toBool(v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return parseBool(v) === true;
}
