/**
 * Module return values a `register` holds beyond changed/failed/rc/stdout (Ansible's RETURN
 * docs), by the path a condition reads them at (`st.stat.exists`). The host sends them as typed
 * pairs (chom_ret TYPE:KEY VALUE, KEY the path joined by "__"); conditions compile to bash over
 * chom_r_REG__KEY with the type below; the controller decodes the pairs for -o json and the run
 * record. No imports: the condition compiler and the run layer both read this table.
 */
/** lines: a list read by conditions as its items one a line (bash key _NAME; the controller gets the list itself). */
export type RetType = 'bool' | 'int' | 'str' | 'float' | 'lines';

const b = 'bool' as const;
const i = 'int' as const;
const s = 'str' as const;
const f = 'float' as const;

/** stat's `stat` dictionary (only `exists` when the path does not exist). */
export const STAT_FIELDS: Readonly<Record<string, RetType>> = {
  exists: b,
  path: s,
  mode: s,
  isdir: b,
  isreg: b,
  islnk: b,
  ischr: b,
  isblk: b,
  isfifo: b,
  issock: b,
  uid: i,
  gid: i,
  pw_name: s,
  gr_name: s,
  size: i,
  inode: i,
  dev: i,
  nlink: i,
  blocks: i,
  block_size: i,
  device_type: i,
  atime: f,
  mtime: f,
  ctime: f,
  wusr: b,
  rusr: b,
  xusr: b,
  wgrp: b,
  rgrp: b,
  xgrp: b,
  woth: b,
  roth: b,
  xoth: b,
  isuid: b,
  isgid: b,
  readable: b,
  writeable: b,
  executable: b,
  checksum: s,
  lnk_source: s,
  lnk_target: s,
};

/** find's counters, and its `files` (conditions see the paths: `found.files | length > 0`). */
export const FIND_FIELDS: Readonly<Record<string, RetType>> = { matched: i, examined: i, files: 'lines' };

/** Top-level return keys that are dictionaries of typed fields, and top-level scalars. */
export const RETURN_DICTS: Readonly<Record<string, Readonly<Record<string, RetType>>>> = { stat: STAT_FIELDS };
export const RETURN_SCALARS: Readonly<Record<string, RetType>> = { ...FIND_FIELDS };

/** The bash variable suffix of a return path: chom_r_REG__stat__exists (chom_r_REG___files for lines). */
export const retKey = (path: readonly string[], t?: RetType): string => (t === 'lines' ? '_' : '') + path.join('__');

const TYPE_OF: Record<string, RetType> = { b, i, s, f };

/**
 * The pairs a task sent (TYPE:KEY NUL VALUE NUL ...) as the nested value register holds, typed.
 * `j` values are JSON (lists such as find's files). Keys starting with _ are for the host's
 * conditions only. Anything malformed is left out.
 */
export function decodeReturns(wire: string): Record<string, unknown> {
  const parts = wire.split('\0');
  const out: Record<string, unknown> = {};
  for (let n = 0; n + 1 < parts.length; n += 2) {
    const m = /^([ibsfj]):([A-Za-z0-9_]+)$/.exec(parts[n]);
    if (!m || m[2].startsWith('_')) continue;
    const raw = parts[n + 1];
    let v: unknown;
    if (m[1] === 'j') {
      try {
        v = JSON.parse(raw);
      } catch {
        continue;
      }
    } else {
      const t = TYPE_OF[m[1]];
      if (t === 'bool') v = raw === 'true';
      else if (t === 'int' || t === 'float') v = Number(raw);
      else v = raw;
    }
    const path = m[2].split('__');
    if (path.some((p) => p === '' || p === 'constructor' || p === 'prototype')) continue;
    let o = out;
    for (const p of path.slice(0, -1)) {
      const next = Object.hasOwn(o, p) ? o[p] : undefined;
      if (next === null || typeof next !== 'object' || Array.isArray(next)) o[p] = {};
      o = o[p] as Record<string, unknown>;
    }
    o[path[path.length - 1]] = v;
  }
  return out;
}
