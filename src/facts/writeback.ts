import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { confinedPath } from '../inventory/hostname.js';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import type { Inventory, Vars } from '../inventory/model.js';
import { setSpecs, type Specs } from './specs-edit.js';

/** One host's planned write-back. */
export interface SpecsChange {
  host: string;
  file: string;
  specs: Specs;
  /** What the target file held before (undefined: nothing). */
  previous?: Partial<Specs>;
}

export interface WriteBackResult {
  changes: SpecsChange[];
  /** Files actually written (none in check mode). */
  written: string[];
  /** Declared specs that disagree with the detected ones, one line per host. */
  mismatches: string[];
}

export interface WriteBackOptions {
  check: boolean;
  now?: Date;
  /** Where previous versions go; the last 5 of each file are kept. */
  backupDir: string;
}

const KEYS = ['cpu', 'memory_mb', 'disk_gb'] as const;

/**
 * Where specs go (documented in the README): host_vars/HOST.yml when that file exists or the
 * inventory is a directory; otherwise the host's entry in the inventory file. A file is written
 * only when cpu, memory_mb or disk_gb actually changed, so a stable fleet gives a stable
 * inventory (content and mtime). All hosts of one file are applied in one write.
 */
export function writeBackSpecs(inv: Inventory, facts: Map<string, Vars>, opts: WriteBackOptions): WriteBackResult {
  const now = (opts.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const result0: WriteBackResult = { changes: [], written: [], mismatches: [] };
  if (!existsSync(inv.path)) return result0; // a host list (-i 'a,b,') has no file to write to
  const isDir = statSync(inv.path).isDirectory();
  const byFile = new Map<string, Array<{ host: string; path: string[]; specs: Specs }>>();
  const result: WriteBackResult = { changes: [], written: [], mismatches: [] };

  for (const [host, f] of facts) {
    const entry = inv.hosts.get(host);
    if (!entry || KEYS.some((k) => typeof f[k] !== 'number')) continue;
    const detected: Specs = { cpu: f.cpu as number, memory_mb: f.memory_mb as number, disk_gb: f.disk_gb as number, detected_at: now };
    const declared = entry.vars.specs as Partial<Specs> | undefined;
    if (declared && typeof declared === 'object' && KEYS.some((k) => declared[k] !== undefined && Number(declared[k]) !== detected[k])) {
      result.mismatches.push(
        `${host}: inventory says ${KEYS.map((k) => `${k}=${declared[k] ?? '?'}`).join(' ')}, detected ${KEYS.map((k) => `${k}=${detected[k]}`).join(' ')}; recording the detected values`,
      );
    }
    const hv = ['yml', 'yaml'].map((e) => confinedPath(join(inv.dir, 'host_vars'), host, `.${e}`)).find((p) => existsSync(p));
    let file: string;
    let path: string[];
    if (hv || isDir) {
      file = hv ?? confinedPath(join(inv.dir, 'host_vars'), host, '.yml');
      path = [];
    } else {
      file = inv.file;
      const found = findHostPath(readFileSync(file, 'utf8'), host);
      if (!found) continue;
      path = found;
    }
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const current = specsAt(text, path);
    if (current && KEYS.every((k) => Number(current[k]) === detected[k])) continue;
    result.changes.push({ host, file, specs: detected, previous: current });
    const list = byFile.get(file) ?? [];
    list.push({ host, path, specs: detected });
    byFile.set(file, list);
  }
  if (opts.check) return result;
  for (const [file, edits] of byFile) {
    let text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    for (const e of edits) text = setSpecs(text, e.path, e.specs);
    writeAtomically(file, text, opts.backupDir);
    result.written.push(file);
  }
  return result;
}

function specsAt(text: string, path: string[]): Partial<Specs> | undefined {
  let v: unknown = parse(text || '{}');
  for (const k of path) v = v && typeof v === 'object' ? (v as Vars)[k] : undefined;
  const s = v && typeof v === 'object' ? (v as Vars).specs : undefined;
  return s && typeof s === 'object' ? (s as Partial<Specs>) : undefined;
}

/** Every place a host is declared, preferring one that already holds specs, then a mapping. */
export function findHostPath(text: string, host: string): string[] | undefined {
  const found: Array<{ path: string[]; value: unknown }> = [];
  const walkGroup = (g: unknown, path: string[]): void => {
    if (!g || typeof g !== 'object') return;
    const group = g as Vars;
    const hosts = group.hosts as Vars | undefined;
    if (hosts && typeof hosts === 'object' && host in hosts) found.push({ path: [...path, 'hosts', host], value: hosts[host] });
    const children = group.children as Vars | undefined;
    if (children && typeof children === 'object')
      for (const [name, c] of Object.entries(children)) walkGroup(c, [...path, 'children', name]);
  };
  const root = parse(text) as Vars | null;
  if (root && typeof root === 'object') for (const [name, g] of Object.entries(root)) walkGroup(g, [name]);
  const withSpecs = found.find((f) => f.value && typeof f.value === 'object' && 'specs' in (f.value as Vars));
  const withMap = found.find((f) => f.value && typeof f.value === 'object');
  return (withSpecs ?? withMap ?? found[0])?.path;
}

/** Temp file + rename in the same directory; the previous version goes to backupDir (last 5 kept). */
function writeAtomically(file: string, text: string, backupDir: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  if (existsSync(file)) {
    mkdirSync(backupDir, { recursive: true, mode: 0o700 });
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    const base = basename(file);
    copyFileSync(file, join(backupDir, `${base}.${stamp}`));
    const old = readdirSync(backupDir)
      .filter((n) => n.startsWith(`${base}.`))
      .sort();
    for (const n of old.slice(0, Math.max(0, old.length - 5))) rmSync(join(backupDir, n));
  }
  const tmp = join(file, '..', `.${basename(file)}.chom-tmp-${process.pid}`);
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}
