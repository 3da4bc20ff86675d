/** `lab status`, saved labs and commands run inside a host (for tests that check host state without SSH). */
import type { Lab, LabHost } from './api.js';
import { run, type RunResult } from './exec.js';
import { hostLeader, hostRunning } from './host.js';
import { labNames, readState } from './state.js';
import { LabError } from '../errors.js';
import { toLab } from './up.js';

export interface LabStatus {
  name: string;
  systemd: boolean;
  status: string;
  hosts: Array<LabHost & { running: boolean }>;
}

export async function labStatus(): Promise<LabStatus[]> {
  const out: LabStatus[] = [];
  for (const name of labNames()) {
    const s = readState(name);
    if (!s) {
      out.push({ name, systemd: false, status: 'broken (no state; run lab down)', hosts: [] });
      continue;
    }
    const lab = toLab(s);
    out.push({
      name,
      systemd: s.systemd,
      status: s.status,
      hosts: lab.hosts.map((h, i) => ({ ...h, running: hostRunning(s.hosts[i]) })),
    });
  }
  return out;
}

export function loadLab(name: string): Lab | undefined {
  const s = readState(name);
  return s && s.status === 'up' ? toLab(s) : undefined;
}

/** Runs a bash command inside the host's namespaces and root (nsenter into its pid 1), not over SSH. */
export async function hostExec(lab: Lab, hostName: string, command: string): Promise<RunResult> {
  const s = readState(lab.name);
  const h = s?.hosts.find((x) => x.name === hostName);
  if (!s || !h) throw new LabError(`no host ${hostName} in lab ${lab.name}`, 'see: chom-play lab status');
  const leader = hostLeader(h);
  if (!leader) throw new LabError(`host ${hostName} is not running`, `run: chom-play lab down --name ${lab.name} && chom-play lab up ...`);
  return run([
    'nsenter',
    '-t',
    String(leader),
    '-m',
    '-u',
    '-i',
    '-n',
    '-p',
    '-r',
    '-w',
    '--',
    '/usr/bin/env',
    '-i',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME=/root',
    'LANG=C.UTF-8',
    'TERM=dumb',
    '/bin/bash',
    '-c',
    command,
  ]);
}
