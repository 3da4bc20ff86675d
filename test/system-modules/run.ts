/**
 * Runs compiled module bodies for real: builds the same script the CLI sends to a host
 * (buildScript: real prelude, real task runner), executes it locally with `bash -s` or through
 * any other executor (a lab host), and decodes the task events.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildScript, type ScriptTask } from '../../src/shell/script.js';
import { EventParser, type ScriptEvent } from '../../src/shell/events.js';
import type { ModuleDef } from '../../src/modules/types.js';

export interface TaskResult {
  status: 'ok' | 'changed' | 'failed' | 'skipped';
  rc: number;
  msg: string;
  /** The task's captured output as the event carries it (stdout tail, then stderr tail). */
  output: string;
  /** Aliases of output, so assertions read naturally. */
  stdout: string;
  stderr: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Executor = (script: string) => Promise<ExecResult>;

export interface RunOptions {
  check?: boolean;
  /** Where to run the script; default: this machine, `bash -s`. */
  exec?: Executor;
}

/** Runs `bash -s` here with the script on stdin (async: a test's own HTTP server keeps serving). */
export const localExec: Executor = (script) => localExecWith({})(script);

/** localExec with extra environment variables (e.g. a PATH without some tool). */
export const localExecWith =
  (env: Record<string, string>): Executor =>
  (script) =>
    new Promise((resolve, reject) => {
      const child = spawn('bash', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(script);
    });

/** The script for a list of [module, args] tasks (ids 1..n), as the CLI would build it. */
export function scriptFor(tasks: Array<[ModuleDef, Record<string, unknown>]>, opts: { check?: boolean; marker: string }): string {
  const st: ScriptTask[] = tasks.map(([mod, args], i) => ({
    id: i + 1,
    name: `${mod.name} ${i + 1}`,
    loc: { file: 'test.yml', line: i + 1, col: 1 },
    body: mod.compile(args, { taskId: i + 1, taskName: `${mod.name} ${i + 1}`, loc: { file: 'test.yml', line: i + 1, col: 1 } }),
    notify: [],
    ignoreErrors: true, // every task runs, so a test sees each result
    noLog: false,
  }));
  return buildScript({
    host: 'test',
    runId: `test-${Date.now()}`,
    marker: opts.marker,
    check: opts.check ?? false,
    diff: false,
    tasks: st,
    handlers: [],
  });
}

/** Runs the tasks in ONE script (check-mode predictions carry from task to task) and returns each result. */
export async function runTasks(tasks: Array<[ModuleDef, Record<string, unknown>]>, opts: RunOptions = {}): Promise<TaskResult[]> {
  const marker = `M${randomBytes(8).toString('hex')}`;
  const r = await (opts.exec ?? localExec)(scriptFor(tasks, { check: opts.check, marker }));
  const events: ScriptEvent[] = [];
  const parser = new EventParser(marker, (e) => events.push(e));
  parser.push(r.stdout);
  parser.end();
  const results: TaskResult[] = [];
  for (const e of events) {
    if (e.t !== 'task') continue;
    const out = e.output.replace(/\n$/, '');
    results.push({ status: e.status, rc: e.rc, msg: e.msg, output: out, stdout: out, stderr: out });
  }
  if (results.length !== tasks.length) {
    throw new Error(
      `expected ${tasks.length} task events, got ${results.length}; exit ${r.code}\nstderr: ${r.stderr}\nstray: ${parser.stray.join('\n')}`,
    );
  }
  return results;
}

export async function runTask(mod: ModuleDef, args: Record<string, unknown>, opts: RunOptions = {}): Promise<TaskResult> {
  return (await runTasks([[mod, args]], opts))[0];
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'chom-sysmod-'));
}
