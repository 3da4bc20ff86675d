import { readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative } from 'node:path';
import { InputError, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { Playbook, Task } from '../playbook/model.js';
import { renderValue, type TemplateContext } from '../template/index.js';
import { firstFound, J2Error } from '../template/jinja2/index.js';
import { revealedSecrets } from '../vault/keyring.js';
import { readYaml } from '../yaml/read.js';

/**
 * include_vars and with_first_found, run by the planner once the host's facts are known (the
 * OS-dispatch preamble: `include_vars: "{{ item }}"` with_first_found over
 * `{{ ansible_distribution }}.yml`, `{{ ansible_os_family }}.yml`, `default.yml`).
 * Relative names are looked up as Ansible does: in each directory of the task's search path
 * (the role, then the playbook's directory), under vars/ first, then directly.
 */

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The task's search path, as the planner set it in ansible_search_path. */
export function searchPathOf(vars: Vars): string[] {
  const sp = vars.ansible_search_path;
  return Array.isArray(sp) ? sp.map(String) : [];
}

/** Ansible picks the lookup's subdir from the action name: templates/, vars/, else files/. */
function subdirFor(module: string): string {
  if (module.includes('template')) return 'templates';
  if (module.includes('var')) return 'vars';
  return 'files';
}

/** with_first_found: the terms rendered with the task's vars, then the one file found (or none with skip). */
export function firstFoundLoop(task: Task, vars: Vars, tmpl: TemplateContext): unknown[] {
  const loc = task.keyLocs.with_first_found ?? task.loc;
  const terms = renderValue(task.loop, vars, loc, tmpl);
  try {
    const r = firstFound(Array.isArray(terms) ? terms : [terms], {}, searchPathOf(vars), subdirFor(task.module));
    if (r.found) return [r.found];
    if (r.skip) return [];
    const shown = r.tried.map((t) => rel(t, vars)).slice(0, 8);
    throw new InputError(
      `task "${task.name}": with_first_found: no file was found`,
      loc,
      `looked for: ${shown.join(', ')}${r.tried.length > 8 ? ', ...' : ''}; add skip: true to allow none`,
    );
  } catch (err) {
    if (err instanceof J2Error) throw new InputError(`task "${task.name}": with_first_found: ${err.message}`, loc, err.hint);
    throw err;
  }
}

function rel(p: string, vars: Vars): string {
  const base = typeof vars.playbook_dir === 'string' ? vars.playbook_dir : '';
  const r = base ? relative(base, p) : p;
  return r.startsWith('..') ? p : r;
}

interface IncludeArgs {
  file?: string;
  dir?: string;
  name?: string;
  files_matching?: string;
  ignore_files?: string | string[];
  extensions?: string | string[];
  depth?: number | string;
  ignore_unknown_extensions?: boolean | string;
}

const asList = (v: string | string[] | undefined, dflt: string[]): string[] =>
  v === undefined
    ? dflt
    : Array.isArray(v)
      ? v
      : v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');

/**
 * Reads the variables an include_vars task names. Vault-encrypted files are decrypted by the
 * YAML reader; every decrypted value is handed to the redactor (`secrets`).
 */
export function includeVars(raw: Vars, task: Task, vars: Vars, playbook: Playbook, secrets: { add(v: string): void }): Vars {
  const a = raw as IncludeArgs;
  const at = (k: string): SourceLoc => task.argLocs?.[k] ?? task.moduleLoc ?? task.loc;
  const prefix = `task "${task.name}": include_vars: `;
  if ((a.file === undefined) === (a.dir === undefined)) {
    throw new InputError(`${prefix}give either a file or dir`, task.moduleLoc ?? task.loc);
  }
  const search = searchPathOf(vars);
  const find = (name: string, test: (p: string) => boolean): string | undefined =>
    (isAbsolute(name) ? [name] : search.flatMap((d) => [join(d, 'vars', name), join(d, name)])).find(test);
  let files: string[];
  if (a.file !== undefined) {
    const f = find(String(a.file), isFile);
    if (!f)
      throw new InputError(
        `${prefix}cannot find vars file "${a.file}"`,
        at('file'),
        `looked in: ${search.map((d) => `${d}/vars, ${d}`).join(', ')}`,
      );
    files = [f];
  } else {
    const d = find(String(a.dir), isDir);
    if (!d)
      throw new InputError(
        `${prefix}cannot find directory "${a.dir}"`,
        at('dir'),
        `looked in: ${search.map((s) => `${s}/vars, ${s}`).join(', ')}`,
      );
    files = dirFiles(d, a, prefix, at, task.role ? join(task.role.dir, 'vars', 'main.yml') : undefined);
  }
  const out: Vars = {};
  for (const f of files) {
    const yf = readYaml(f);
    if (!playbook.files.includes(f)) playbook.files.push(f);
    if (yf.value === null || yf.value === undefined) continue;
    if (typeof yf.value !== 'object' || Array.isArray(yf.value))
      throw new InputError(`${prefix}${f} must hold a mapping of variables`, yf.locOf([]));
    Object.assign(out, yf.value);
  }
  for (const s of revealedSecrets()) secrets.add(s);
  return typeof a.name === 'string' && a.name !== '' ? { [a.name]: out } : out;
}

function dirFiles(root: string, a: IncludeArgs, prefix: string, at: (k: string) => SourceLoc, roleMain: string | undefined): string[] {
  const exts = asList(a.extensions, ['json', 'yaml', 'yml']).map((e) => e.replace(/^\./, ''));
  const ignore = asList(a.ignore_files, []);
  const depth = a.depth === undefined ? 0 : Number(a.depth);
  if (!Number.isInteger(depth) || depth < 0) throw new InputError(`${prefix}depth must be a whole number >= 0`, at('depth'));
  let matcher: RegExp | undefined;
  try {
    if (a.files_matching) matcher = new RegExp(a.files_matching);
  } catch (err) {
    throw new InputError(`${prefix}files_matching is not a valid regular expression: ${(err as Error).message}`, at('files_matching'));
  }
  const ignoreUnknown =
    a.ignore_unknown_extensions === true || a.ignore_unknown_extensions === 'yes' || a.ignore_unknown_extensions === 'true';
  const out: string[] = [];
  // As Ansible: every directory under root sorted by path, the first `depth` of them (0 = all),
  // files sorted in each; a role's own vars/main.yml is never included again.
  const all: string[] = [];
  const collect = (d: string): void => {
    all.push(d);
    for (const n of readdirSync(d)) if (isDir(join(d, n))) collect(join(d, n));
  };
  collect(root);
  all.sort();
  for (const dir of depth > 0 ? all.slice(0, depth) : all) {
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (!isFile(p) || (roleMain && p === roleMain)) continue;
      if (matcher && !matcher.test(n)) continue;
      if (ignore.some((i) => new RegExp(`${i}$`).test(n))) continue;
      if (!exts.includes(extname(n).slice(1))) {
        if (ignoreUnknown) continue;
        throw new InputError(
          `${prefix}${p} does not have a valid extension (${exts.join(', ')})`,
          at('dir'),
          'set ignore_unknown_extensions: true, or extensions: [...]',
        );
      }
      out.push(p);
    }
  }
  return out;
}
