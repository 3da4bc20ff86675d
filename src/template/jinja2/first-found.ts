import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isDict, J2Error } from './values.js';

/**
 * Ansible's first_found lookup (lookup/query('first_found') and with_first_found): the terms are
 * file names, lists of them, or {files, paths, skip} mappings (files split on , and ;, paths on
 * , : and ;); each candidate is tried as an absolute path, else in every directory of the search
 * path, first under its `subdir` (vars/ for include_vars, templates/ for template, else files/),
 * then directly. The first existing file wins; none is an error unless skip is true.
 */
export interface FirstFoundResult {
  found?: string;
  tried: string[];
  skip: boolean;
}

interface Search {
  names: string[];
  skip: boolean;
}

function splitOn(v: unknown, seps: RegExp): string[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.flatMap((x) =>
    typeof x === 'string'
      ? x
          .split(seps)
          .map((s) => s.trim())
          .filter((s) => s !== '')
      : [],
  );
}

function collect(terms: unknown[], kw: Record<string, unknown>, pos: number): Search {
  const out: Search = { names: [], skip: kw.skip === true };
  const fromSpec = (spec: Record<string, unknown>): void => {
    for (const k of Object.keys(spec)) {
      if (!['files', 'paths', 'skip'].includes(k))
        throw new J2Error(`first_found: unknown option "${k}"`, pos, 'it takes files, paths and skip');
    }
    if (spec.skip === true) out.skip = true;
    const files = splitOn(spec.files, /[,;]/);
    const paths = splitOn(spec.paths, /[,:;]/);
    if (paths.length > 0) for (const p of paths) for (const f of files) out.names.push(join(p, f));
    else out.names.push(...files);
  };
  const walk = (t: unknown): void => {
    if (typeof t === 'string') out.names.push(t);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (isDict(t)) fromSpec(t);
    else if (t !== undefined && t !== null)
      throw new J2Error(`first_found: a term must be a file name, a list or a mapping, got ${typeof t}`, pos);
  };
  terms.forEach(walk);
  if (kw.files !== undefined || kw.paths !== undefined) fromSpec({ files: kw.files, paths: kw.paths });
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Candidates in Ansible's order; the first that exists is returned. */
export function firstFound(
  terms: unknown[],
  kw: Record<string, unknown>,
  searchPath: readonly string[],
  subdir: string,
  pos = 0,
): FirstFoundResult {
  const { names, skip } = collect(terms, kw, pos);
  const tried: string[] = [];
  for (const n of names) {
    const candidates = isAbsolute(n) ? [n] : searchPath.flatMap((d) => [join(d, subdir, n), join(d, n)]);
    for (const c of candidates) {
      if (tried.includes(c)) continue;
      tried.push(c);
      if (isFile(c)) return { found: c, tried, skip };
    }
  }
  return { tried, skip };
}

/** The lookup's answer: [path], [] with skip, else an error listing where it looked. */
export function firstFoundList(
  terms: unknown[],
  kw: Record<string, unknown>,
  searchPath: readonly string[],
  subdir: string,
  pos = 0,
): string[] {
  const r = firstFound(terms, kw, searchPath, subdir, pos);
  if (r.found) return [r.found];
  if (r.skip) return [];
  const shown = r.tried.length > 6 ? [...r.tried.slice(0, 6), `... (${r.tried.length - 6} more)`] : r.tried;
  throw new J2Error(
    'first_found: no file was found',
    pos,
    r.tried.length === 0 ? 'no file names were given' : `looked for: ${shown.join(', ')}; add skip: true to allow none`,
  );
}
