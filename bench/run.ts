/**
 * `npm run bench`: chom-play vs Ansible vs the floor (plain `ssh host bash -s`) on lab hosts.
 *
 *   npm run bench -- [--hosts 1,10,40,100,200] [--reps 3] [--ansible-reps-40 1] [--ansible-max-hosts 40]
 *                    [--ansible-facts-reps 1] [--lab-prefix bench] [--no-ansible]
 *
 * A short run: `npm run bench -- --hosts 1,3 --reps 1 --no-ansible`. Ansible takes minutes per
 * run at 40 hosts on 2 cores (about 20 min at 200), so by default it is measured up to 40 hosts
 * only; --ansible-max-hosts 200 measures it everywhere.
 *
 * Every first run gets fresh hosts (lab down/up takes seconds); each no-change run follows on the
 * same hosts. Prints a markdown table of medians and writes it to bench/results.md.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchLabDown, benchLabUp, ensureBenchRootfs, type BenchLab } from './lab.js';
import { run, REPO } from './proc.js';
import { emptyResult, machine, profile, table, targets, type Phase, type SizeResult, type Tool } from './table.js';
import { managedPaths } from './paths.js';
import {
  managedState,
  PLAYBOOK,
  PLAYBOOK_FACTS,
  renderScripts,
  runAnsible,
  runChom,
  runFloor,
  runStateFloor,
  stateReadCommand,
  type Measured,
} from './tools.js';

interface Args {
  hosts: number[];
  reps: number;
  /** Ansible at 40+ hosts takes minutes per run on 2 cores: fewer repetitions there. */
  ansibleRepsLarge: number;
  /** Ansible with facts on is the slowest variant by far: 1 repetition unless asked. */
  ansibleFactsReps: number;
  /** Sizes above this get no Ansible runs (their columns read n/a). */
  ansibleMaxHosts: number;
  prefix: string;
  ansible: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    hosts: [1, 10, 40, 100, 200],
    reps: 3,
    ansibleRepsLarge: 1,
    ansibleFactsReps: 1,
    ansibleMaxHosts: 40,
    prefix: 'bench',
    ansible: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--hosts') {
      a.hosts = v.split(',').map(Number);
      i++;
    } else if (argv[i] === '--reps') {
      a.reps = Number(v);
      i++;
    } else if (argv[i] === '--ansible-reps-40') {
      a.ansibleRepsLarge = Number(v);
      i++;
    } else if (argv[i] === '--ansible-facts-reps') {
      a.ansibleFactsReps = Number(v);
      i++;
    } else if (argv[i] === '--ansible-max-hosts') {
      a.ansibleMaxHosts = Number(v);
      i++;
    } else if (argv[i] === '--lab-prefix') {
      a.prefix = v;
      i++;
    } else if (argv[i] === '--no-ansible') a.ansible = false;
    else
      throw new Error(
        `unknown argument ${argv[i]}; usage: npm run bench -- [--hosts 1,10,40,100,200] [--reps 3] [--ansible-reps-40 1] [--ansible-max-hosts 40] [--ansible-facts-reps 1] [--lab-prefix NAME] [--no-ansible]`,
      );
  }
  // The lab gives each lab one /24-sized range: 253 hosts at most.
  if (a.hosts.some((n) => !Number.isInteger(n) || n < 1 || n > 253) || !(a.reps >= 1))
    throw new Error('--hosts takes integers from 1 to 253 (comma-separated), --reps a positive integer');
  return a;
}

const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);

async function ensureAnsible(): Promise<void> {
  if ((await run(['sh', '-c', 'command -v ansible-playbook'])).code === 0) return;
  log('bench: installing ansible-core from Debian (apt-get install -y --no-install-recommends ansible-core)');
  const r = await run(['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'ansible-core'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.code !== 0) throw new Error(`could not install ansible-core: ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
}

/** A temp copy of bench/project, plus the facts-on twin of the playbook (one line differs). */
function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-bench-'));
  cpSync(join(REPO, 'bench', 'project'), dir, { recursive: true });
  const pb = readFileSync(join(dir, PLAYBOOK), 'utf8');
  writeFileSync(join(dir, PLAYBOOK_FACTS), pb.replace(/gather_facts: false/g, 'gather_facts: true'));
  return dir;
}

function expectNoChange(tool: string, m: Measured): void {
  if (m.changed !== 0) throw new Error(`${tool}: the no-change run reported changed=${m.changed}; expected 0`);
}

/** One fresh lab: fn applies, re-applies, and may inspect; the lab is always torn down. */
async function withLab<T>(name: string, hosts: number, work: string, fn: (lab: BenchLab) => Promise<T>): Promise<T> {
  const lab = await benchLabUp(name, hosts, work);
  try {
    return await fn(lab);
  } finally {
    await benchLabDown(name);
  }
}

async function benchSize(n: number, args: Args): Promise<SizeResult> {
  const res = emptyResult(n);
  const project = projectCopy();
  const name = `${args.prefix}-${n}`;
  const add = (t: Tool, p: Phase, m: Measured) => {
    res.ms[t][p].push(m.ms);
    if (m.rssKb) res.rssKb.push(m.rssKb);
    if (t === 'chom' && m.cpuMs !== undefined) res.cpuMs[p].push(m.cpuMs);
    if (t === 'chom' && p === 'again') for (const [ph, v] of m.phases ?? []) res.phases.set(ph, [...(res.phases.get(ph) ?? []), v]);
    const extra = `${m.rssKb ? ` rss=${(m.rssKb / 1024).toFixed(0)}MB` : ''}${m.cpuMs !== undefined ? ` cpu=${(m.cpuMs / 1000).toFixed(2)}s` : ''}`;
    log(`  ${n} hosts ${t} ${p}: ${(m.ms / 1000).toFixed(2)} s changed=${m.changed}${extra}`);
  };
  let scripts: Map<string, string> | undefined;
  const ansibleReps = n > args.ansibleMaxHosts ? 0 : n >= 40 ? Math.min(args.reps, args.ansibleRepsLarge) : args.reps;
  const paths = managedPaths(project, PLAYBOOK);
  if (n === args.hosts[0]) log(`bench: state read: ${stateReadCommand(paths)}`);
  try {
    for (let rep = 0; rep < args.reps; rep++) {
      log(`bench: ${n} host(s), repetition ${rep + 1}/${args.reps}`);
      const chomState = await withLab(name, n, project, async (lab) => {
        add('chom', 'first', await runChom(project, lab, PLAYBOOK));
        const again = await runChom(project, lab, PLAYBOOK);
        expectNoChange('chom-play', again);
        add('chom', 'again', again);
        const facts = await runChom(project, lab, PLAYBOOK_FACTS);
        expectNoChange('chom-play (facts on)', facts);
        add('chomFacts', 'again', facts);
        // On the hosts chom-play just configured: the steady state the no-change runs see.
        add('state', 'again', await runStateFloor(lab, paths));
        scripts ??= await renderScripts(project, lab);
        return managedState(lab, paths);
      });
      await withLab(name, n, project, async (lab) => {
        const first = await runFloor(lab, scripts!);
        add('floor', 'first', first);
        const again = await runFloor(lab, scripts!);
        expectNoChange('floor', again);
        add('floor', 'again', again);
      });
      if (!args.ansible || rep >= ansibleReps) continue;
      const ansState = await withLab(name, n, project, async (lab) => {
        add('ansible', 'first', await runAnsible(project, lab, PLAYBOOK));
        const again = await runAnsible(project, lab, PLAYBOOK);
        expectNoChange('Ansible', again);
        add('ansible', 'again', again);
        return managedState(lab, paths);
      });
      for (const [host, s] of chomState) {
        if (ansState.get(host) !== s) {
          res.identical = false;
          log(`DIFFERENT on ${host}:\n--- chom-play\n${s}--- Ansible\n${ansState.get(host)}`);
        }
      }
      if (rep >= Math.min(args.ansibleFactsReps, ansibleReps)) continue;
      await withLab(name, n, project, async (lab) => {
        add('ansibleFacts', 'first', await runAnsible(project, lab, PLAYBOOK_FACTS));
        const again = await runAnsible(project, lab, PLAYBOOK_FACTS);
        expectNoChange('Ansible (facts on)', again);
        add('ansibleFacts', 'again', again);
      });
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  // chom-play facts on, first run: not measured (it differs from facts off by the same round trip).
  return res;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('the bench starts lab hosts: run it as root');
  const t0 = Date.now();
  await ensureBenchRootfs(log);
  if (args.ansible) await ensureAnsible();
  const results: SizeResult[] = [];
  for (const n of args.hosts) {
    results.push(await benchSize(n, args));
    writeResults(args, results, t0); // a partial table survives an interrupted bench
  }
  process.stdout.write(writeResults(args, results, t0));
}

function writeResults(args: Args, results: SizeResult[], t0: number): string {
  const md = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; bench took ${((Date.now() - t0) / 60000).toFixed(1)} min.`,
    `Medians of ${args.reps} repetitions (Ansible facts off: ${args.ansibleRepsLarge} at 40+ hosts, none above ${args.ansibleMaxHosts}; Ansible facts on: ${args.ansibleFactsReps}). Each first run on fresh lab hosts; Ansible's ControlPersist masters are stopped between runs.`,
    `State-read floor: per host, one ssh running \`stat\` over the ${managedPaths(join(REPO, 'bench', 'project'), PLAYBOOK).stat.length} managed paths and \`sha256sum\` over the managed files (paths read from the playbook), on the hosts chom-play configured. Controller CPU: user + system of the chom-play process (and children), divided by hosts.`,
    `Playbook: bench/project/bench.yml (24 tasks + 1 handler); "chom-play facts on" is the no-change run of the same plays with gather_facts: true.`,
    '',
    table(results),
    ...targets(results).map((t) => `- ${t}`),
    '',
    profile(results),
  ].join('\n');
  writeFileSync(join(REPO, 'bench', 'results.md'), `# Benchmark results\n\n${md}`);
  return md;
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.message}\n`);
  process.exitCode = 1;
});
