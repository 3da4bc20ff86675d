import { readFileSync, statSync } from 'node:fs';
import { InputError, type SourceLoc } from '../errors.js';
import type { Vars } from '../inventory/model.js';
import type { TemplateContext } from './context.js';
import { compileText, runText, runValue, toInputError } from './engine.js';
import { J2Error, J2Located, renderJinjaFile, renderJinjaString, type J2FileInfo } from './jinja2/index.js';

/**
 * Deep render: strings go through Handlebars; a string that is exactly one `{{ expr }}`
 * returns the raw value (list, dict, number, bool kept, as Ansible does); lists and maps are
 * rendered element by element (keys are left alone).
 */
export function renderValue(value: unknown, vars: Vars, loc: SourceLoc, ctx?: TemplateContext): unknown {
  if (typeof value === 'string') {
    if (value.includes('{%')) return jinjaStatements(value, vars, loc);
    if (!value.includes('{{')) return value;
    const native = nativeBeforeSpace(value, vars, loc, ctx);
    return native.found ? native.value : runValue(value, vars, { loc }, ctx);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, loc, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, vars, loc, ctx);
    return out;
  }
  return value;
}

const TRAILING_SPACE = /^(\{\{[\s\S]*\}\})(\s+)$/;
const BARE_VAR = /^\{\{\s*\w+\s*\}\}$/;

/**
 * `loop: >` puts a newline after the expression; Ansible still gets the list (its output
 * "[...]\n" is literal_eval'ed) and a bare `{{ var }}\n` holding a number or boolean is the var
 * itself (its single-var regex allows one final newline). Other values keep their trailing text.
 */
function nativeBeforeSpace(value: string, vars: Vars, loc: SourceLoc, ctx?: TemplateContext): { found: boolean; value?: unknown } {
  const m = TRAILING_SPACE.exec(value);
  if (!m) return { found: false };
  try {
    if (!compileText(m[1]).raw) return { found: false };
  } catch {
    return { found: false }; // the whole value is rendered next and reports the error
  }
  const v = runValue(m[1], vars, { loc }, ctx);
  // Ansible returns a bare variable as is only when it is a number or a boolean
  // (NON_TEMPLATED_TYPES); a string value is rendered, so `{{ note }}\n` keeps its newline.
  const bareScalar = m[2] === '\n' && BARE_VAR.test(m[1]) && (typeof v === 'number' || typeof v === 'boolean');
  if ((v !== null && typeof v === 'object') || bareScalar) return { found: true, value: v };
  return { found: false };
}

/**
 * `{% if %}` in a playbook value: Handlebars has no `{%`, so the whole value is Jinja2 and goes
 * to the .j2 engine (as Ansible renders it), never to the host as literal text.
 */
function jinjaStatements(text: string, vars: Vars, loc: SourceLoc): unknown {
  try {
    return renderJinjaString(text, vars);
  } catch (err) {
    if (!(err instanceof J2Error)) throw err;
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new InputError(`in "${shown}": ${err.message}`, loc, err.hint);
  }
}

export function renderString(text: string, vars: Vars, loc: SourceLoc, ctx?: TemplateContext): string {
  if (text.includes('{%')) return String(jinjaStatements(text, vars, loc));
  return text.includes('{{') ? runText(text, vars, { loc }, ctx) : text;
}

const fileCache = new Map<string, { mtimeMs: number; size: number; text: string }>();

/**
 * Renders a .hbs file. The text is read once per path+mtime; compilation is cached by text
 * (engine), so N hosts rendering the same template compile it once.
 * Errors name displayName (default: path) with the line inside the file.
 */
export function renderTemplateFile(path: string, vars: Vars, displayName = path, ctx?: TemplateContext, info?: J2FileInfo): string {
  if (path.endsWith('.j2')) return renderJ2(path, vars, displayName, info);
  let text: string;
  try {
    const st = statSync(path);
    const hit = fileCache.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) text = hit.text;
    else {
      text = readFileSync(path, 'utf8');
      fileCache.set(path, { mtimeMs: st.mtimeMs, size: st.size, text });
    }
  } catch (err) {
    throw new InputError(`cannot read template ${displayName}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  // Not .hbs and written in Jinja2 (Handlebars never has `{%` or `{#`): an Ansible template
  // under another name (nginx.conf.tmpl, sshd_config) renders as Jinja2 too.
  if (!path.endsWith('.hbs') && /\{[%#]/.test(text)) return renderJ2(path, vars, displayName, info);
  try {
    compileText(text);
  } catch (err) {
    throw toInputError(err, text, { file: displayName });
  }
  return runText(text, vars, { file: displayName }, ctx);
}

/** A .j2 source: Jinja2 semantics as Ansible's template module (src/template/jinja2/). */
function renderJ2(path: string, vars: Vars, displayName: string, info?: J2FileInfo): string {
  try {
    return renderJinjaFile(path, vars, displayName, info);
  } catch (err) {
    if (err instanceof J2Located) throw new InputError(err.message, { file: err.file, line: err.line, col: err.col }, err.hint);
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new InputError(`cannot read template ${displayName}: ${code}`);
    throw err;
  }
}

/** Magic and bulky variables never rendered by resolveVars (hostvars holds other hosts' raw vars). */
export const UNRESOLVED_VARS: ReadonlySet<string> = new Set([
  'hostvars',
  'groups',
  'env',
  'facts',
  'ansible_facts',
  'play_hosts',
  'ansible_play_hosts',
  'group_names',
]);

function hasTemplate(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('{{');
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  return Object.values(v).some((x) => hasTemplate(x, depth + 1));
}

/**
 * Vars whose values use other vars (`url: "http://{{ host }}:{{ port }}"`) are rendered lazily,
 * as Ansible does: each templated var is rendered when first read (then cached), so a default
 * that cannot be evaluated fails only if something uses it. A cycle is an error naming the chain.
 * The result holds getters: merge it with overlay(), never with `{...spread}` (which reads all).
 */
export function resolveVars(vars: Vars, loc?: SourceLoc, ctx?: TemplateContext): Vars {
  // Getters (vars already made lazy, merged with overlay()) stay as they are: reading them here
  // would render them.
  const descs: Record<string, PropertyDescriptor> = LAZY.has(vars) ? Object.getOwnPropertyDescriptors(vars) : {};
  const pending = Object.keys(vars).filter((k) => !descs[k]?.get && !UNRESOLVED_VARS.has(k) && hasTemplate(vars[k]));
  if (pending.length === 0) return vars;
  const isPending = new Set(pending);
  const where = loc ?? { file: '<vars>', line: 1, col: 1 };
  const done = new Map<string, unknown>();
  const stack: string[] = [];
  const view: Vars = {};
  for (const k of Object.keys(vars)) {
    if (!isPending.has(k)) {
      if (descs[k]?.get) Object.defineProperty(view, k, { ...descs[k], configurable: true });
      else view[k] = vars[k];
      continue;
    }
    Object.defineProperty(view, k, { enumerable: true, configurable: true, get: () => resolve(k) });
  }
  const resolve = (k: string): unknown => {
    if (done.has(k)) return done.get(k);
    const at = stack.indexOf(k);
    if (at >= 0) {
      const chain = [...stack.slice(at), k];
      const through = chain.slice(1, -1);
      throw new InputError(
        through.length === 0
          ? `variable "${k}" refers to itself`
          : `variable "${k}" refers to itself through ${through.map((t) => `"${t}"`).join(', ')} (${chain.join(' -> ')})`,
        where,
      );
    }
    stack.push(k);
    try {
      const v = renderValue(vars[k], view, where, ctx);
      done.set(k, v);
      return v;
    } catch (err) {
      // Name the var being resolved (the error itself may be about a var it uses).
      if (
        err instanceof InputError &&
        stack.length === 1 &&
        !err.message.includes('refers to itself') &&
        !err.message.startsWith('in variable "')
      ) {
        throw new InputError(`in variable "${k}": ${err.message}`, err.loc, err.hint);
      }
      throw err;
    } finally {
      stack.pop();
    }
  };
  LAZY.add(view);
  return view;
}

/** Objects that may hold getters (resolveVars results and overlays of them). */
const LAZY = new WeakSet<object>();

/**
 * `{...base, ...extra}` for lazily resolved vars: getters are copied as getters (a spread would
 * read, and so render, every var). Later sources win.
 */
export function overlay(...sources: Vars[]): Vars {
  if (!sources.some((s) => LAZY.has(s))) return Object.assign({}, ...sources) as Vars;
  const out: Vars = {};
  LAZY.add(out);
  for (const s of sources) {
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(s))) {
      if (d.enumerable) Object.defineProperty(out, k, { ...d, configurable: true, ...(d.get ? {} : { writable: true }) });
    }
  }
  return out;
}
