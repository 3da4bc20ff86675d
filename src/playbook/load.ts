import { basename, dirname, join, resolve } from 'node:path';
import { InputError, suggest, type SourceLoc } from '../errors.js';
import { intKeyword, percentKeyword, serialKeyword } from './keywords.js';
import type { Vars } from '../inventory/model.js';
import type { YamlFile } from '../yaml/read.js';
import { checkBecomeUser, findFile, isMapping, LoadContext, refuseTemplatedPath, type Inherit } from './context.js';
import type { Play, Playbook, Task, VarsFilesEntry } from './model.js';
import type { ModuleRegistry } from './registry.js';
import { RoleExpander } from './roles.js';
import { check, keywordWording, toBool, UNSUPPORTED_PLAY, validators } from './schema.js';
import { describeValue } from './schema-errors.js';
import { mergeTags, normTags } from './tags.js';
import { loadTaskList } from './tasks.js';

export interface LoadOptions {
  /** Project dir (roles/, templates/, files/); default: parent of playbooks/, else the playbook's dir. */
  projectDir?: string;
  modules: ModuleRegistry;
}

export function defaultProjectDir(playbookAbs: string): string {
  const dir = dirname(playbookAbs);
  return basename(dir) === 'playbooks' ? dirname(dir) : dir;
}

/** Reads, validates and flattens a playbook and everything it refers to. Nothing is rendered. */
export function loadPlaybookWith(path: string, opts: LoadOptions): Playbook {
  const file = resolve(path);
  const projectDir = resolve(opts.projectDir ?? defaultProjectDir(file));
  const ctx = new LoadContext(opts.modules, projectDir);
  const plays = loadPlaybookFile(ctx, file, [], []);
  return { file, baseDir: projectDir, plays, files: ctx.files };
}

function loadPlaybookFile(ctx: LoadContext, abs: string, outerTags: string[], stack: string[]): Play[] {
  const yf = ctx.read(abs);
  if (yf.value === null || yf.value === undefined)
    throw new InputError('the playbook is empty; it should be a list of plays', yf.locOf([]));
  if (!Array.isArray(yf.value)) throw new InputError(`a playbook must be a list of plays, got ${describeValue(yf.value)}`, yf.locOf([]));
  const plays: Play[] = [];
  yf.value.forEach((entry, i) => {
    if (!isMapping(entry)) throw new InputError(`a play must be a mapping, got ${describeValue(entry)}`, yf.locOf([i]));
    const imp = ['import_playbook', 'ansible.builtin.import_playbook'].find((k) => k in entry);
    if (!imp) {
      plays.push(loadPlay(ctx, yf, i, abs, entry, outerTags));
      return;
    }
    check(validators.importPlaybook, entry, yf, [i], keywordWording('import_playbook'));
    const rel = String(entry[imp]);
    const loc = yf.locOf([i, imp]);
    refuseTemplatedPath(rel, 'playbook', loc);
    const sub = findFile(rel, [dirname(abs)], 'playbook', loc);
    if ([...stack, abs].includes(sub))
      throw new InputError(`import_playbook cycle: ${[...stack, abs, sub].map((f) => ctx.display(f)).join(' -> ')}`, loc);
    plays.push(...loadPlaybookFile(ctx, sub, mergeTags(outerTags, normTags(entry.tags)), [...stack, abs]));
  });
  return plays;
}

function loadPlay(ctx: LoadContext, yf: YamlFile, i: number, abs: string, e: Record<string, unknown>, outerTags: string[]): Play {
  const label = typeof e.name === 'string' ? `play "${e.name}": ` : '';
  check(validators.play, e, yf, [i], keywordWording('play', UNSUPPORTED_PLAY), label);
  const hosts = Array.isArray(e.hosts) ? e.hosts.join(':') : String(e.hosts);
  const becomeUser = checkBecomeUser(e.become_user, yf.keyLocOf([i, 'become_user']));
  if (becomeUser !== undefined && becomeUser !== 'root') {
    throw new InputError(
      `${label}become_user "${becomeUser}" on a play is not supported: chom-play runs a play's tasks as root`,
      yf.keyLocOf([i, 'become_user']),
      'put become_user on the command/shell tasks that must run as that user',
    );
  }
  const dir = dirname(abs);
  const vars: Vars = isMapping(e.vars) ? { ...e.vars } : {};
  const varsFiles = e.vars_files === undefined || e.vars_files === null ? [] : Array.isArray(e.vars_files) ? e.vars_files : [e.vars_files];
  const varsFilesLater: VarsFilesEntry[] = [];
  varsFiles.forEach((vf, j) => {
    const loc = Array.isArray(e.vars_files) ? yf.locOf([i, 'vars_files', j]) : yf.locOf([i, 'vars_files']);
    // A list is alternatives (the first that exists wins); a templated name needs the host's
    // vars and facts: both are read by the planner (src/plan/vars-files.ts).
    if (Array.isArray(vf) || (typeof vf === 'string' && vf.includes('{{'))) {
      const candidates = (Array.isArray(vf) ? vf : [vf]).map((c) => {
        if (typeof c !== 'string') throw new InputError(`vars_files alternatives must be file names, got ${describeValue(c)}`, loc);
        return c;
      });
      varsFilesLater.push({ candidates, loc, dir });
      return;
    }
    if (typeof vf !== 'string')
      throw new InputError(`vars_files entries must be file names or lists of alternatives, got ${describeValue(vf)}`, loc);
    const vyf = ctx.read(findFile(vf, [dir], 'vars file', loc));
    if (vyf.value === null || vyf.value === undefined) return;
    if (!isMapping(vyf.value))
      throw new InputError(`a vars file must be a mapping of variables, got ${describeValue(vyf.value)}`, vyf.locOf([]));
    Object.assign(vars, vyf.value);
  });

  const tags = mergeTags(outerTags, normTags(e.tags));
  const searchDirs = [...new Set([join(dir, 'roles'), join(ctx.projectDir, 'roles')])];
  const expander = new RoleExpander(ctx, tags, dir, searchDirs);
  ctx.roles = expander;
  ctx.extraHandlers = [];
  ctx.publicRoles = [];
  const roles = expander.expand(e.roles, yf, [i, 'roles'], searchDirs, { tags: [], when: [] }, []);
  const inh: Inherit = { tags, when: [], vars: {}, includeDirs: [dir] };
  const section = (key: string, handler = false): Task[] =>
    loadTaskList(ctx, e[key], { yf, path: [i, key], abs, stack: [abs] }, inh, handler);

  const tasks = [...section('pre_tasks'), ...roles.flatMap((r) => r.tasks), ...section('tasks'), ...section('post_tasks')];
  // Ansible puts role handlers before the play's own; a role listed twice contributes its handlers once.
  const handlerDirs = new Set<string>();
  const handlers: Task[] = [];
  for (const r of roles) {
    if (handlerDirs.has(r.role.dir)) continue;
    handlerDirs.add(r.role.dir);
    handlers.push(...r.handlers);
  }
  handlers.push(...ctx.extraHandlers, ...section('handlers', true));
  checkNotify(tasks, handlers);

  const keyLocs: Partial<Record<string, SourceLoc>> = {};
  for (const k of Object.keys(e)) keyLocs[k] = yf.keyLocOf([i, k]);
  const kwLoc = (k: string): SourceLoc => keyLocs[k] ?? yf.locOf([i]);
  const play: Play = {
    name: typeof e.name === 'string' ? e.name : hosts,
    hosts,
    loc: yf.locOf([i]),
    vars,
    gatherFacts: toBool(e.gather_facts) ?? true,
    tags,
    roles: [...roles.map((r) => r.role), ...ctx.publicRoles],
    tasks,
    handlers,
    anyErrorsFatal: toBool(e.any_errors_fatal) ?? false,
    rollbackOnFailure: toBool(e.rollback_on_failure) ?? false,
    keyLocs,
  };
  if (varsFilesLater.length > 0) play.varsFilesLater = varsFilesLater;
  const serial = serialKeyword(e.serial, kwLoc('serial'));
  if (serial !== undefined) play.serial = serial;
  const maxFail = percentKeyword(e.max_fail_percentage, kwLoc('max_fail_percentage'));
  if (maxFail !== undefined) play.maxFailPercentage = maxFail;
  const minDisk = intKeyword('min_disk_free_mb', e.min_disk_free_mb, 0, kwLoc('min_disk_free_mb'));
  if (minDisk !== undefined) play.minDiskFreeMb = minDisk;
  if (becomeUser !== undefined) play.becomeUser = becomeUser;
  const become = toBool(e.become);
  if (become !== undefined) play.become = become;
  if (e.environment !== undefined && e.environment !== null) play.environment = e.environment;
  if (typeof e.connection === 'string') play.connection = e.connection === 'local' ? 'local' : 'ssh';
  if (typeof e.gather_facts === 'string' && e.gather_facts.includes('{{')) {
    // May gather: src/facts/plays.ts decides once vars are known.
    play.gatherFactsExpr = e.gather_facts;
    play.gatherFacts = true;
  }
  return play;
}

/** Every literal notify must name a handler (or a handler's listen topic) of the play. */
function checkNotify(tasks: Task[], handlers: Task[]): void {
  const names = new Set<string>();
  for (const h of handlers) {
    names.add(h.name);
    for (const t of h.listen) names.add(t);
  }
  for (const t of [...tasks, ...handlers]) {
    t.notify.forEach((n, j) => {
      if (n.includes('{{') || names.has(n)) return;
      const hint = suggest(n, names);
      const known = names.size === 0 ? 'the play has no handlers' : `handlers: ${[...names].map((x) => `"${x}"`).join(', ')}`;
      throw new InputError(
        `task "${t.name}" notifies "${n}", but no handler has that name or listens to it${hint ? `; did you mean "${hint}"?` : ''}`,
        t.notifyLocs?.[j] ?? t.loc,
        hint ? undefined : known,
      );
    });
  }
}
