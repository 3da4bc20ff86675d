/**
 * The three ways the bench applies the playbook to every lab host, each returning the wall time
 * and the number of changed task results (a no-change run must report 0).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteAll } from '../src/shell/quote.js';
import type { BenchLab } from './lab.js';
import type { ManagedPaths } from './paths.js';
import { CLI, cliEnv, run, runWithRss, sh } from './proc.js';

export interface Measured {
  ms: number;
  changed: number;
  rssKb?: number;
  /** Controller CPU (user + system) of the whole run, ms. */
  cpuMs?: number;
  /** chom-play's own phase timings (-v, src/run/timings.ts): phase -> wall and CPU ms. */
  phases?: Map<string, { ms: number; cpuMs: number }>;
}

/** Parses the `controller timings (-v):` block chom-play writes to stderr. */
export function parsePhases(stderr: string): Map<string, { ms: number; cpuMs: number }> {
  const out = new Map<string, { ms: number; cpuMs: number }>();
  const at = stderr.indexOf('controller timings (-v):');
  if (at < 0) return out;
  for (const m of stderr.slice(at).matchAll(/^ {2}(.+?)\s+(\d+) ms wall\s+(\d+) ms cpu$/gm))
    out.set(m[1], { ms: Number(m[2]), cpuMs: Number(m[3]) });
  return out;
}

export const PLAYBOOK = 'bench.yml';
/** Same plays with gather_facts: true (written by the bench next to bench.yml). */
export const PLAYBOOK_FACTS = 'bench-facts.yml';

function fail(what: string, r: { code: number; stdout: string; stderr: string }): never {
  const tail = (r.stderr + '\n' + r.stdout).trim().split('\n').slice(-25).join('\n');
  throw new Error(`${what} exited with ${r.code}:\n${tail}`);
}

/** chom-play as a user runs it; changed counted from the JSON recap. */
export async function runChom(project: string, lab: BenchLab, playbook: string): Promise<Measured> {
  // -v: with -o json it only adds the phase timings on stderr (a handful of clock reads).
  const argv = [
    process.execPath,
    CLI,
    playbook,
    '-i',
    lab.inventoryDir,
    '-f',
    String(Math.max(lab.hosts.length, 1)),
    '-e',
    'tmpl_ext=hbs',
    '--no-write-facts',
    '-o',
    'json',
    '-v',
  ];
  const r = await runWithRss(argv, { env: cliEnv({}), cwd: project });
  if (r.code !== 0) fail('chom-play', r);
  let changed = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{"event":"recap"')) continue;
    const recap = JSON.parse(line) as { hosts: Record<string, { changed: number }> };
    for (const s of Object.values(recap.hosts)) changed += s.changed;
  }
  return { ms: r.ms, changed, rssKb: r.rssKb, cpuMs: r.cpuMs, phases: parsePhases(r.stderr) };
}

/** ansible.cfg as a tuned user would write it: pipelining, ControlPersist, forks = hosts. */
export function writeAnsibleCfg(project: string, lab: BenchLab): void {
  const cp = join(project, '.ansible-cp');
  mkdirSync(cp, { recursive: true });
  writeFileSync(
    join(project, 'ansible.cfg'),
    [
      '[defaults]',
      `forks = ${Math.max(lab.hosts.length, 1)}`,
      'host_key_checking = True',
      'interpreter_python = /usr/bin/python3',
      'retry_files_enabled = False',
      'roles_path = roles',
      '',
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${lab.knownHosts} -o StrictHostKeyChecking=yes`,
      `control_path_dir = ${cp}`,
      '',
    ].join('\n'),
  );
}

/** ansible-playbook with the same playbook; changed summed from PLAY RECAP. */
export async function runAnsible(project: string, lab: BenchLab, playbook: string): Promise<Measured> {
  writeAnsibleCfg(project, lab);
  const argv = ['ansible-playbook', '-i', join(lab.inventoryDir, 'hosts.yml'), playbook, '-e', 'tmpl_ext=j2'];
  const r = await run(argv, {
    cwd: project,
    env: { ...process.env, ANSIBLE_CONFIG: join(project, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
  });
  if (r.code !== 0) fail('ansible-playbook', r);
  let changed = 0;
  for (const m of r.stdout.matchAll(/^\S+\s+:\s+ok=\d+\s+changed=(\d+)/gm)) changed += Number(m[1]);
  // Stop the ControlPersist masters: the next run starts cold, as chom-play does.
  for (const h of lab.hosts) {
    await run(['ssh', '-o', `ControlPath=${join(project, '.ansible-cp')}/%C`, '-O', 'exit', `root@${h.address}`]).catch(() => undefined);
  }
  return { ms: r.ms, changed };
}

/** Every host's scripts, as `chom-play render` prints them (done once per lab size: names repeat). */
export async function renderScripts(project: string, lab: BenchLab): Promise<Map<string, string>> {
  const scripts = new Map<string, string>();
  const todo = [...lab.hosts];
  const worker = async () => {
    for (let h = todo.shift(); h; h = todo.shift()) {
      const argv = [
        process.execPath,
        CLI,
        'render',
        PLAYBOOK,
        '-i',
        lab.inventoryDir,
        '--host',
        h.name,
        '--no-facts',
        '-e',
        'tmpl_ext=hbs',
      ];
      scripts.set(h.name, await sh(argv, `chom-play render --host ${h.name}`, { env: cliEnv({}), cwd: project }));
    }
  };
  await Promise.all([worker(), worker()]);
  return scripts;
}

/** The floor: plain OpenSSH, one connection per host, all at once, `bash -s` fed the rendered script. */
export async function runFloor(lab: BenchLab, scripts: Map<string, string>): Promise<Measured> {
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(
    lab.hosts.map((h) => run(['ssh', ...sshOpts(lab), `root@${h.address}`, 'bash -s'], { input: scripts.get(h.name) ?? '' })),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let changed = 0;
  results.forEach((r, i) => {
    if (r.code !== 0) fail(`ssh ${lab.hosts[i].name} bash -s`, r);
    changed += (r.stdout.match(/"status":"changed"/g) ?? []).length;
  });
  return { ms, changed };
}

/**
 * OpenSSH for the floors, with the key exchange chom-play's ssh2 negotiates (curve25519-sha256).
 * OpenSSH 9's default, sntrup761x25519, costs about 60 ms of CPU per connection on each side
 * here: at 40 hosts on 2 cores that alone made "the least any tool can do" slower than chom-play.
 * Ansible keeps OpenSSH's defaults, as its users run it.
 */
export function sshOpts(lab: BenchLab): string[] {
  return [
    '-i',
    lab.keyFile,
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${lab.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ControlMaster=no',
    '-o',
    'KexAlgorithms=curve25519-sha256,curve25519-sha256@libssh.org',
  ];
}

/**
 * The state-read floor: for every host at once, one ssh running one `stat` over every managed
 * path and one `sha256sum` over every managed file — the least any tool must read to know that
 * nothing changed (users and groups aside). Absent paths are part of the state, hence `|| true`.
 */
export async function runStateFloor(lab: BenchLab, paths: ManagedPaths): Promise<Measured> {
  const cmd = stateReadCommand(paths);
  const t0 = process.hrtime.bigint();
  const results = await Promise.all(lab.hosts.map((h) => run(['ssh', ...sshOpts(lab), `root@${h.address}`, cmd])));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  results.forEach((r, i) => {
    // ssh's own failures are 255; stat/sha256sum failing on an absent path is part of the read.
    if (r.code === 255 || !r.stdout.includes(' ')) fail(`ssh ${lab.hosts[i].name} (state read)`, r);
  });
  return { ms, changed: 0 };
}

export function stateReadCommand(paths: ManagedPaths): string {
  return `stat -c '%n %f %u %g %s %Y %N' -- ${quoteAll(paths.stat)} 2>/dev/null; sha256sum -- ${quoteAll(paths.hash)} 2>/dev/null; true`;
}

/** Per host: content hashes, modes and owners of everything the playbook manages. */
export async function managedState(lab: BenchLab, paths: ManagedPaths): Promise<Map<string, string>> {
  // %n %A %U %G %N only: times and inode numbers differ between tools by nature.
  const cmd = `cd / && { sha256sum -- ${quoteAll(paths.hash)}; stat -c '%n %A %U %G %N' -- ${quoteAll(paths.stat)}; } 2>&1; getent passwd benchapp | cut -d: -f1,6,7`;
  const out = new Map<string, string>();
  await Promise.all(
    lab.hosts.map(async (h) => {
      out.set(h.name, await sh(['ssh', ...sshOpts(lab), `root@${h.address}`, cmd], `state of ${h.name}`));
    }),
  );
  return out;
}
