/** Child processes for the bench: timed runs with peak memory, and the CLI of this build. */
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist-NAME/bench/proc.js -> the repository root and the build dir this bench was compiled into. */
const here = dirname(fileURLToPath(import.meta.url));
export const REPO = join(here, '..', '..');
export const DIST = basename(join(here, '..'));
export const CLI = join(REPO, 'bin', 'chom-play');

/**
 * Environment for bin/chom-play running this very build: the esbuild bundle (dist/cli), which is
 * what users run, when the bench was built by `npm run build`; another tsc build dir otherwise.
 * The bundle starts about 70 ms of CPU faster than the plain tsc output (fewer files to load).
 */
export function cliEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (DIST === 'dist') delete env.CHOM_PLAY_DIST;
  else env.CHOM_PLAY_DIST = DIST;
  return env;
}

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: Number(process.hrtime.bigint() - t0) / 1e6,
      }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

export async function sh(
  argv: string[],
  what: string,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0)
    throw new Error(
      `${what} failed (exit ${r.code}): ${argv.join(' ')}\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`,
    );
  return r.stdout;
}

/**
 * Runs argv under /usr/bin/time and returns its peak RSS (KiB) and CPU time (user + system, ms,
 * including children it waited for) too. The wall time is measured here, around the whole
 * process; time(1) adds well under a millisecond.
 */
export async function runWithRss(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<Ran & { rssKb: number; cpuMs: number }> {
  const r = await run(['/usr/bin/time', '-f', 'CHOMBENCH_RSS_KB=%M CPU_S=%U+%S', ...argv], opts);
  const m = /CHOMBENCH_RSS_KB=(\d+) CPU_S=([\d.]+)\+([\d.]+)/.exec(r.stderr);
  return {
    ...r,
    stderr: r.stderr.replace(/CHOMBENCH_RSS_KB=\S+ CPU_S=\S+\n?/, ''),
    rssKb: m ? Number(m[1]) : 0,
    cpuMs: m ? (Number(m[2]) + Number(m[3])) * 1000 : NaN,
  };
}
