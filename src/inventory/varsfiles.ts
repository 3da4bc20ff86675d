import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { SourceLoc } from '../errors.js';
import { readYaml } from '../yaml/read.js';
import type { Vars } from './model.js';
import { checkVarsFileShape } from './schema.js';

/** One file of group_vars/ or host_vars/: its variables and where each key was written. */
export interface VarsLayer {
  file: string;
  vars: Vars;
  locs: Record<string, SourceLoc>;
}

const VARS_EXTS = ['.yml', '.yaml', '.json'];
// Ansible skips editor and packaging leftovers in vars directories; so do we.
const IGNORED_SUFFIXES = ['~', '.orig', '.bak', '.ini', '.cfg', '.retry', '.swp'];

/**
 * The vars files for one group or host, in Ansible's order: `NAME` (a directory, walked
 * recursively in name order, or a file without extension), then NAME.yml, NAME.yaml, NAME.json.
 * Each later file replaces the keys of the earlier ones.
 */
export function readVarsFor(dir: string, kind: 'group_vars' | 'host_vars', name: string): VarsLayer[] {
  const base = join(dir, kind);
  if (!existsSync(base)) return [];
  const files: string[] = [];
  for (const ext of ['', ...VARS_EXTS]) {
    const p = join(base, name + ext);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else files.push(p);
  }
  return files.map(readLayer);
}

/** Entries of group_vars/ or host_vars/ with the group or host name each one is for. */
export function varsEntriesIn(dir: string, kind: 'group_vars' | 'host_vars'): { name: string; path: string }[] {
  const base = join(dir, kind);
  if (!existsSync(base) || !statSync(base).isDirectory()) return [];
  const out: { name: string; path: string }[] = [];
  for (const entry of readdirSync(base).sort()) {
    if (entry.startsWith('.') || IGNORED_SUFFIXES.some((s) => entry.endsWith(s))) continue;
    const ext = extname(entry);
    const path = join(base, entry);
    const isDir = statSync(path).isDirectory();
    out.push({ name: !isDir && VARS_EXTS.includes(ext) ? entry.slice(0, -ext.length) : entry, path });
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || IGNORED_SUFFIXES.some((s) => entry.endsWith(s))) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (extname(entry) === '' || VARS_EXTS.includes(extname(entry))) out.push(p);
  }
  return out;
}

function readLayer(file: string): VarsLayer {
  const y = readYaml(file);
  checkVarsFileShape(y);
  const vars = (y.value ?? {}) as Vars;
  const locs: Record<string, SourceLoc> = {};
  for (const k of Object.keys(vars)) locs[k] = y.keyLocOf([k]);
  return { file, vars, locs };
}
