/**
 * Runs generated scripts for real with bash in throwaway directory trees (as root), and
 * describes/compares those trees. Used by the data-driven module cases and the script tests.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventParser, type ScriptEvent } from '../../src/shell/events.js';
import { buildScript, type ScriptTask } from '../../src/shell/script.js';

/** Repo root: this file compiles to <out>/test/modules/harness.js. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const isRoot = process.getuid?.() === 0;

/** One entry of a tree spec: file content, or an object for a file/dir/link with attributes; null = absent. */
export type EntrySpec =
  | string
  | null
  | { content?: string; content_b64?: string; dir?: boolean; link?: string; mode?: string | number; owner?: string; group?: string };

export type TreeSpec = Record<string, EntrySpec>;

function uidOf(name: string, file: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === name);
  if (!line) throw new Error(`no ${name} in ${file}`);
  return Number(line.split(':')[2]);
}

function octal(m: string | number): number {
  return parseInt(String(m), 8);
}

/** Creates the entries of `spec` under root (parents as plain 0755 dirs). */
export function materialize(root: string, spec: TreeSpec): void {
  for (const [rel, e] of Object.entries(spec)) {
    if (e === null) continue;
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    const o = typeof e === 'string' ? { content: e } : e;
    if (o.dir) mkdirSync(p, { recursive: true });
    else if (o.link !== undefined) symlinkSync(o.link.replaceAll('%ROOT%', root), p);
    else writeFileSync(p, o.content_b64 !== undefined ? Buffer.from(o.content_b64, 'base64') : (o.content ?? ''));
    if (o.link === undefined) {
      if (o.mode !== undefined) chmodSync(p, octal(o.mode));
      if (o.owner !== undefined || o.group !== undefined) {
        chownSync(p, o.owner ? uidOf(o.owner, '/etc/passwd') : 0, o.group ? uidOf(o.group, '/etc/group') : 0);
      }
    }
  }
}

/** Differences between `spec` and what is under root ([] when all match). Only the given keys are checked. */
export function checkTree(root: string, spec: TreeSpec): string[] {
  const bad: string[] = [];
  for (const [rel, e] of Object.entries(spec)) {
    const p = join(root, rel);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      if (e !== null) bad.push(`${rel}: missing`);
      continue;
    }
    if (e === null) {
      bad.push(`${rel}: should be absent`);
      continue;
    }
    const o = typeof e === 'string' ? { content: e } : e;
    if (o.dir && !st.isDirectory()) bad.push(`${rel}: not a directory`);
    if (o.link !== undefined) {
      if (!st.isSymbolicLink()) bad.push(`${rel}: not a link`);
      else if (readlinkSync(p) !== o.link.replaceAll('%ROOT%', root)) bad.push(`${rel}: link to ${readlinkSync(p)}`);
    }
    if (o.content !== undefined || o.content_b64 !== undefined) {
      const want = o.content_b64 !== undefined ? Buffer.from(o.content_b64, 'base64') : Buffer.from(o.content ?? '');
      if (!st.isFile()) bad.push(`${rel}: not a file`);
      else if (!readFileSync(p).equals(want))
        bad.push(`${rel}: content ${JSON.stringify(readFileSync(p, 'utf8'))} != ${JSON.stringify(want.toString())}`);
    }
    if (o.mode !== undefined && (st.mode & 0o7777) !== octal(o.mode))
      bad.push(`${rel}: mode ${(st.mode & 0o7777).toString(8)} != ${o.mode}`);
    if (o.owner !== undefined && st.uid !== uidOf(o.owner, '/etc/passwd')) bad.push(`${rel}: uid ${st.uid} != ${o.owner}`);
    if (o.group !== undefined && st.gid !== uidOf(o.group, '/etc/group')) bad.push(`${rel}: gid ${st.gid} != ${o.group}`);
  }
  return bad;
}

/** A hash of everything under root: names, kinds, content, mode, owner, times. */
export function hashTree(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.mtimeMs}\0`);
      if (st.isSymbolicLink()) h.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(root);
  return h.digest('hex');
}

export interface Sandbox {
  root: string;
  /** Backups and journal of real runs go here, not to /var. */
  state: string;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'chom-case-'));
  const state = mkdtempSync(join(tmpdir(), 'chom-state-'));
  return { root, state, cleanup: () => [root, state].forEach((d) => rmSync(d, { recursive: true, force: true })) };
}

export interface RunResult {
  events: ScriptEvent[];
  tasks: Extract<ScriptEvent, { t: 'task' }>[];
  code: number | null;
  stderr: string;
  stray: string[];
}

/** Runs a script with bash (stdin = the script, like the controller does). */
export function runBash(script: string, marker: string, state: string): RunResult {
  const r = spawnSync('bash', ['-s'], {
    input: script,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CHOM_BACKUP_ROOT: join(state, 'backups'), CHOM_JOURNAL_DIR: join(state, 'journal') },
    maxBuffer: 64 * 1024 * 1024,
  });
  const events: ScriptEvent[] = [];
  const p = new EventParser(marker, (e) => events.push(e));
  p.push(r.stdout);
  p.end();
  return {
    events,
    tasks: events.filter((e): e is Extract<ScriptEvent, { t: 'task' }> => e.t === 'task'),
    code: r.status,
    stderr: r.stderr.toString(),
    stray: p.stray,
  };
}

export function task(id: number, body: string, extra: Partial<ScriptTask> = {}): ScriptTask {
  return {
    id,
    name: `task ${id}`,
    loc: { file: 'test.yml', line: id, col: 1 },
    body,
    notify: [],
    ignoreErrors: false,
    noLog: false,
    ...extra,
  };
}

/** Builds and runs a script for the given tasks/handlers. */
export function runTasks(
  sb: Sandbox,
  tasks: ScriptTask[],
  opts: { check?: boolean; diff?: boolean; handlers?: ScriptTask[] } = {},
): RunResult {
  const marker = 'CHOMTEST' + randomBytes(6).toString('hex');
  const script = buildScript({
    host: 'test',
    runId: 'run-' + randomBytes(3).toString('hex'),
    marker,
    check: opts.check ?? false,
    diff: opts.diff ?? false,
    tasks,
    handlers: opts.handlers ?? [],
  });
  return runBash(script, marker, sb.state);
}

/** Replaces %ROOT% in every string of a value (case files use it for paths). */
export function withRoot<T>(v: T, root: string): T {
  if (typeof v === 'string') return v.replaceAll('%ROOT%', root) as T;
  if (Array.isArray(v)) return v.map((x) => withRoot(x, root)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withRoot(x, root)])) as T;
  return v;
}
