import { readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { collectionRoleDirs, rolesPath } from '../config/role-paths.js';
import { InputError, suggest, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { YamlFile } from '../yaml/read.js';
import {
  isDir,
  isFile,
  isMapping,
  normWhen,
  refuseTemplatedPath,
  type Inherit,
  type LoadContext,
  type RoleIncludeSpec,
  type YamlPath,
} from './context.js';
import type { RoleInstance, Task } from './model.js';
import { check, keywordWording, toBool, validators } from './schema.js';
import { describeValue } from './schema-errors.js';
import { mergeTags, normTags } from './tags.js';
import { loadTaskList } from './tasks.js';

export interface LoadedRole {
  role: RoleInstance;
  tasks: Task[];
  handlers: Task[];
}

/** What a role entry passes to the role and, through meta dependencies, to the roles it needs. */
interface Outer {
  tags: string[];
  when: string[];
}

interface RoleFiles {
  defaults: Vars;
  vars: Vars;
  meta: Vars;
  metaYf?: YamlFile;
  tasks?: { yf: YamlFile; abs: string };
  handlers?: { yf: YamlFile; abs: string };
}

/**
 * Expands a play's `roles:` list into role instances, meta dependencies first, each distinct
 * (role, params) once per play unless the role's meta says allow_duplicates (as Ansible).
 */
export class RoleExpander {
  private readonly seen = new Set<string>();
  private readonly filesByDir = new Map<string, RoleFiles>();

  constructor(
    private readonly ctx: LoadContext,
    private readonly playTags: string[],
    private readonly playbookDir: string,
    /** The play's role directories (roles/ beside the playbook and in the project). */
    private readonly searchDirs: string[] = [],
  ) {}

  /**
   * include_role / import_role: the role's meta dependencies (each once per play), then its tasks
   * from tasks/TASKS_FROM (default main), with vars/VARS_FROM and defaults/DEFAULTS_FROM. Its
   * handlers join the play's; a public role's variables are seen by the play's later tasks.
   */
  include(spec: RoleIncludeSpec, inh: Inherit): Task[] {
    const parent = inh.role ? [dirname(inh.role.dir)] : [];
    const dir = this.findRole(spec.name, [...parent, ...this.searchDirs], spec.loc);
    const files = this.filesOf(dir, spec.name);
    const out: Task[] = [];
    if (files.metaYf) {
      for (const d of this.expand(
        files.meta.dependencies,
        files.metaYf,
        ['dependencies'],
        [dirname(dir), ...this.searchDirs],
        { tags: inh.tags, when: inh.when },
        [dir],
      )) {
        out.push(...d.tasks);
        this.ctx.extraHandlers.push(...d.handlers);
        if (spec.public) this.ctx.publicRoles.push(d.role);
      }
    }
    const from = (sub: string, name: string | undefined): { yf: YamlFile; abs: string } | undefined => {
      if (name === undefined) return undefined;
      const base = join(dir, sub, name);
      const abs = [base, `${base}.yml`, `${base}.yaml`].find(isFile);
      if (!abs)
        throw new InputError(`role "${spec.name}" has no ${sub}/${name}(.yml)`, spec.loc, `looked in ${this.ctx.display(join(dir, sub))}`);
      return { yf: this.ctx.read(abs), abs };
    };
    const varsOf = (f: { yf: YamlFile } | undefined, dflt: Vars): Vars => {
      if (!f) return dflt;
      if (f.yf.value === null || f.yf.value === undefined) return {};
      if (!isMapping(f.yf.value))
        throw new InputError(
          `role "${spec.name}": vars file must be a mapping of variables, got ${describeValue(f.yf.value)}`,
          f.yf.locOf([]),
        );
      return f.yf.value;
    };
    const role: RoleInstance = {
      name: spec.name,
      dir,
      defaults: varsOf(from('defaults', spec.defaultsFrom), files.defaults),
      vars: varsOf(from('vars', spec.varsFrom), files.vars),
      params: {},
      tags: [],
      meta: files.meta,
      loc: spec.loc,
    };
    if (isDir(join(dir, 'files'))) role.filesDir = join(dir, 'files');
    if (isDir(join(dir, 'templates'))) role.templatesDir = join(dir, 'templates');
    if (spec.public) this.ctx.publicRoles.push(role);
    const tasksFile = from('tasks', spec.tasksFrom) ?? files.tasks;
    const handlersFile = from('handlers', spec.handlersFrom) ?? files.handlers;
    const load = (f: { yf: YamlFile; abs: string } | undefined, handler: boolean, from: Inherit): Task[] =>
      f
        ? loadTaskList(
            this.ctx,
            f.yf.value,
            { yf: f.yf, path: [], abs: f.abs, stack: [f.abs] },
            { ...from, role, includeDirs: [join(dir, 'tasks'), this.playbookDir] },
            handler,
          )
        : [];
    out.push(...load(tasksFile, false, inh));
    // A role included twice (a loop, two includes) brings its handlers once; they run as handlers
    // of the play, outside the include's loop and conditions.
    if (!this.ctx.extraHandlers.some((h) => h.role?.dir === dir)) {
      this.ctx.extraHandlers.push(...load(handlersFile, true, { tags: inh.tags, when: [], vars: {}, includeDirs: [] }));
    }
    return out;
  }

  expand(value: unknown, yf: YamlFile, path: YamlPath, searchDirs: string[], outer: Outer, stack: string[]): LoadedRole[] {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw new InputError(`roles must be a list, got ${describeValue(value)}`, yf.locOf(path));
    const out: LoadedRole[] = [];
    value.forEach((entry, i) => out.push(...this.expandOne(entry, yf, [...path, i], searchDirs, outer, stack)));
    return out;
  }

  private expandOne(entry: unknown, yf: YamlFile, path: YamlPath, searchDirs: string[], outer: Outer, stack: string[]): LoadedRole[] {
    let name: string;
    let spec: Record<string, unknown> = {};
    let loc: SourceLoc;
    if (typeof entry === 'string') {
      name = entry;
      loc = yf.locOf(path);
    } else if (isMapping(entry)) {
      check(validators.roleEntry, entry, yf, path, keywordWording('role entry', new Set(), '; role parameters go under vars:'));
      const key = typeof entry.role === 'string' ? 'role' : 'name';
      if (typeof entry[key] !== 'string') throw new InputError('role entry needs "role: NAME"', yf.locOf(path));
      name = entry[key] as string;
      spec = entry;
      loc = yf.locOf([...path, key]);
    } else {
      throw new InputError(`a role entry must be a role name or a mapping with role:, got ${describeValue(entry)}`, yf.locOf(path));
    }
    refuseTemplatedPath(name, 'role name', loc);
    const dir = this.findRole(name, searchDirs, loc);
    if (stack.includes(dir))
      throw new InputError(`role dependency cycle: ${[...stack, dir].map((d) => this.ctx.display(d)).join(' -> ')}`, loc);
    const files = this.filesOf(dir, name);
    const tags = mergeTags(outer.tags, normTags(spec.tags));
    const when = [...outer.when, ...normWhen(spec.when)];
    const params: Vars = isMapping(spec.vars) ? { ...spec.vars } : {};

    // Dependencies come first and are looked up next to this role too (roles/ of its parent dir).
    const out = files.metaYf
      ? this.expand(files.meta.dependencies, files.metaYf, ['dependencies'], [dirname(dir), ...searchDirs], { tags, when }, [...stack, dir])
      : [];
    const key = `${dir}\0${stableJson(params)}`;
    if (this.seen.has(key) && toBool(files.meta.allow_duplicates) !== true) return out;
    this.seen.add(key);

    const role: RoleInstance = { name, dir, defaults: files.defaults, vars: files.vars, params, tags, meta: files.meta, loc };
    if (when.length > 0) role.when = when;
    if (isDir(join(dir, 'files'))) role.filesDir = join(dir, 'files');
    if (isDir(join(dir, 'templates'))) role.templatesDir = join(dir, 'templates');
    // Role tasks get the play's tags, the entry's tags and when, and a link to the instance.
    const list = (f: { yf: YamlFile; abs: string } | undefined, handler: boolean): Task[] =>
      f
        ? loadTaskList(
            this.ctx,
            f.yf.value,
            { yf: f.yf, path: [], abs: f.abs, stack: [f.abs] },
            {
              tags: mergeTags(this.playTags, tags),
              when,
              vars: {},
              role,
              includeDirs: [join(dir, 'tasks'), this.playbookDir],
            },
            handler,
          )
        : [];
    out.push({ role, tasks: list(files.tasks, false), handlers: list(files.handlers, true) });
    return out;
  }

  private findRole(name: string, searchDirs: string[], loc: SourceLoc): string {
    // Ansible's order: a path as given; a collection role under the collections paths; else
    // roles/ beside the playbook (and of a parent role), roles_path, then the playbook's directory.
    const inCollections = collectionRoleDirs(name, this.playbookDir);
    const candidates =
      name.includes('/') || isAbsolute(name)
        ? [resolve(this.playbookDir, name)]
        : (inCollections ?? [...new Set([...searchDirs, ...rolesPath(), this.playbookDir].map((d) => join(d, name)))]);
    const found = candidates.find(isDir);
    if (found) return found;
    const known = [...new Set(searchDirs.flatMap((d) => (isDir(d) ? readdirSync(d).filter((n) => isDir(join(d, n))) : [])))];
    const hint = suggest(name, known);
    throw new InputError(
      `role "${name}" not found${hint ? `; did you mean "${hint}"?` : ''}`,
      loc,
      `looked in: ${candidates.map((c) => this.ctx.display(c)).join(', ')}${inCollections ? '' : ' (add a directory with roles_path in ansible.cfg or ANSIBLE_ROLES_PATH)'}`,
    );
  }

  private filesOf(dir: string, name: string): RoleFiles {
    let f = this.filesByDir.get(dir);
    if (f) return f;
    const main = (sub: string): string | undefined => ['main.yml', 'main.yaml'].map((m) => join(dir, sub, m)).find(isFile);
    const vars = (sub: string): Vars => {
      const p = main(sub);
      if (!p) return {};
      const yf = this.ctx.read(p);
      if (yf.value === null || yf.value === undefined) return {};
      if (!isMapping(yf.value))
        throw new InputError(
          `role "${name}": ${sub}/main.yml must be a mapping of variables, got ${describeValue(yf.value)}`,
          yf.locOf([]),
        );
      return yf.value;
    };
    f = { defaults: vars('defaults'), vars: vars('vars'), meta: {} };
    const metaPath = main('meta');
    if (metaPath) {
      const yf = this.ctx.read(metaPath);
      check(validators.meta, yf.value, yf, [], keywordWording('role meta'), `role "${name}": `);
      f.meta = isMapping(yf.value) ? yf.value : {};
      f.metaYf = yf;
    }
    for (const sub of ['tasks', 'handlers'] as const) {
      const p = main(sub);
      if (p) f[sub] = { yf: this.ctx.read(p), abs: p };
    }
    this.filesByDir.set(dir, f);
    return f;
  }
}

/** JSON with sorted keys: two role entries with the same params in another order are the same. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isMapping(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
