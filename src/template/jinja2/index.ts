import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname, userInfo } from 'node:os';
import type { Stmt } from './ast.js';
import { Frame } from './evaluator.js';
import './filters.js';
import './filters-ansible.js';
import { makeGlobals } from './globals.js';
import { parseTemplate } from './parser.js';
import { Renderer, type Loader } from './render.js';
import './tests.js';
import { J2Error, lineCol, type Dict } from './values.js';

/**
 * Jinja2 templates as Ansible's template module renders them (our own engine: no eval, no
 * new Function). The file is parsed once per path+mtime; errors become J2Located with the
 * file (the included one, when the error is there), line and column.
 */
export class J2Located extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly col: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'J2Located';
  }
}

export interface J2FileInfo {
  /** The task's `src` as written (Ansible's template_path); default: the file path. */
  src?: string;
  /** The task's `dest` (template_destpath). */
  dest?: string;
  /** Extra directories searched by include/import and lookup('file'). */
  searchDirs?: string[];
}

interface Parsed {
  stmts: Stmt[];
  text: string;
  headerLen: number;
}

const cache = new Map<string, { mtimeMs: number; size: number; parsed: Parsed; raw: string }>();

/** Ansible's `#jinja2: trim_blocks: False, lstrip_blocks: True` first line. */
function overrides(raw: string): { text: string; headerLen: number; trimBlocks: boolean; lstripBlocks: boolean } {
  let trimBlocks = true;
  let lstripBlocks = false;
  if (!raw.startsWith('#jinja2:')) return { text: raw, headerLen: 0, trimBlocks, lstripBlocks };
  const eol = raw.indexOf('\n');
  const line = raw.slice('#jinja2:'.length, eol < 0 ? raw.length : eol);
  for (const pair of line.split(',')) {
    const m = /^\s*(\w+)\s*:\s*(\S+)\s*$/.exec(pair);
    if (!m) throw new J2Error(`cannot parse the jinja2 override "${pair.trim()}" (expected key: value)`, 0);
    const on = m[2] === 'True' || m[2] === 'true';
    if (m[1] === 'trim_blocks') trimBlocks = on;
    else if (m[1] === 'lstrip_blocks') lstripBlocks = on;
    else throw new J2Error(`unsupported jinja2 override "${m[1]}" (supported: trim_blocks, lstrip_blocks)`, 0);
  }
  const headerLen = eol < 0 ? raw.length : eol + 1;
  return { text: raw.slice(headerLen), headerLen, trimBlocks, lstripBlocks };
}

function parseText(raw: string): Parsed {
  const o = overrides(raw);
  // keep_trailing_newline=False: Jinja2 drops one final newline before lexing.
  const text = o.text.endsWith('\n') ? o.text.slice(0, -1) : o.text;
  try {
    return { stmts: parseTemplate(text, { trimBlocks: o.trimBlocks, lstripBlocks: o.lstripBlocks }), text, headerLen: o.headerLen };
  } catch (e) {
    if (e instanceof J2Error && e.pos >= 0) e.pos += o.headerLen;
    throw e;
  }
}

function load(path: string, shown: string): { parsed: Parsed; raw: string } {
  const st = statSync(path);
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const raw = readFileSync(path, 'utf8').replace(/\r\n?/g, '\n');
  let parsed: Parsed;
  try {
    parsed = parseText(raw);
  } catch (e) {
    throw locate(e, raw, shown);
  }
  const entry = { mtimeMs: st.mtimeMs, size: st.size, parsed, raw };
  cache.set(path, entry);
  return entry;
}

function locate(e: unknown, raw: string, file: string): unknown {
  if (!(e instanceof J2Error)) return e;
  const { line, col } = e.pos >= 0 ? lineCol(raw, e.pos) : { line: 1, col: 1 };
  return new J2Located(e.message, file, line, col, e.hint);
}

function countTrailingNewlines(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\n') n++;
  return n;
}

function fmtDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

/** Ansible's template variables (generate_ansible_template_vars, default ansible_managed). */
export function templateVars(path: string, info: J2FileInfo): Dict {
  const st = statSync(path);
  let uid = String(st.uid);
  try {
    if (st.uid === userInfo().uid) uid = userInfo().username;
  } catch {
    // no passwd entry: Ansible prints the number too
  }
  return {
    template_host: hostname(),
    template_path: info.src ?? path,
    template_fullpath: resolve(path),
    template_destpath: info.dest ?? null,
    template_uid: uid,
    template_mtime: fmtDate(st.mtime),
    template_run_date: fmtDate(new Date()),
    ansible_managed: 'Ansible managed',
  };
}

export function renderJinjaFile(path: string, vars: Dict, displayName: string, info: J2FileInfo = {}): string {
  const root = load(path, displayName);
  const dirs = [dirname(path), ...(info.searchDirs ?? [])];
  const names = new Map<string, string>([[resolve(path), displayName]]);
  const loader: Loader = {
    load(name, _from, pos) {
      const found = dirs
        .map((d) => join(d, name))
        .find((p) => {
          try {
            return statSync(p).isFile();
          } catch {
            return false;
          }
        });
      if (!found) return undefined;
      const shown = join(dirname(displayName), name);
      names.set(resolve(found), shown);
      void pos;
      return { stmts: load(found, shown).parsed.stmts, path: resolve(found) };
    },
    within(p, fn) {
      try {
        return fn();
      } catch (e) {
        const shown = names.get(p) ?? p;
        throw locate(e, load(p, shown).raw, shown);
      }
    },
  };
  const globals = makeGlobals({
    fileDirs: [join(dirname(path), '..', 'files'), dirname(path), ...(info.searchDirs ?? [])],
    vars,
    renderTemplate: (name, pos) => {
      const found = loader.load(name, path, pos);
      if (!found) throw new J2Error(`lookup('template'): ${JSON.stringify(name)} not found`, pos);
      return renderJinjaFile(found.path, vars, names.get(found.path) ?? name, info);
    },
  });
  const out: string[] = [];
  const r = new Renderer(loader, resolve(path));
  // Template vars win over task vars (as Ansible's temp_vars.update); task vars are not
  // copied, so lazily resolved ones are only rendered when the template reads them.
  const top = new Frame(undefined, vars, globals);
  for (const [k, v] of Object.entries(templateVars(path, info))) top.vars.set(k, v);
  loader.within(resolve(path), () => r.run(root.parsed.stmts, top, out));
  let res = out.join('');
  const want = countTrailingNewlines(root.raw);
  const have = countTrailingNewlines(res);
  if (want > have) res += '\n'.repeat(want - have);
  return res;
}

export { J2Error } from './values.js';
export { evalJinjaExpr, lazyVars, renderJinjaString } from './strings.js';
export { firstFound, firstFoundList } from './first-found.js';
