/**
 * The route lab hosts use to download Debian packages: IPv4 forwarding plus MASQUERADE for the lab
 * range, restricted to DNS (to this machine's resolvers) and HTTP/HTTPS. Everything lives in two
 * chains of our own, so removing them removes every rule; the last `lab down` does that and
 * restores ip_forward.
 */
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { run } from './exec.js';
import { LAB_RANGE } from './net.js';
import { NAT_STATE } from './paths.js';

const FWD = 'CHOM-LAB-FWD';
const NAT = 'CHOM-LAB-NAT';
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

function resolvers(): string[] {
  try {
    const text = readFileSync('/etc/resolv.conf', 'utf8');
    return [...text.matchAll(/^nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)].map((m) => m[1]);
  } catch {
    return [];
  }
}

async function ipt(args: string[]): Promise<boolean> {
  return (await run(['iptables', '-w', '5', ...args])).code === 0;
}

/** Call under the global lock. Idempotent. */
export async function natUp(): Promise<void> {
  let saved: { ipForward: string } | undefined;
  try {
    saved = JSON.parse(readFileSync(NAT_STATE, 'utf8')) as { ipForward: string };
  } catch {
    saved = undefined;
  }
  if (!saved) {
    // Recorded before changing anything, so a crash still lets `down` restore it.
    writeFileSync(NAT_STATE, JSON.stringify({ ipForward: readFileSync(IP_FORWARD, 'utf8').trim() }));
  }
  if (!(await ipt(['-n', '-L', FWD]))) {
    await ipt(['-N', FWD]);
    for (const ns of resolvers()) {
      for (const proto of ['udp', 'tcp']) await ipt(['-A', FWD, '-s', LAB_RANGE, '-d', ns, '-p', proto, '--dport', '53', '-j', 'ACCEPT']);
    }
    for (const port of ['80', '443']) await ipt(['-A', FWD, '-s', LAB_RANGE, '-p', 'tcp', '--dport', port, '-j', 'ACCEPT']);
    // Hosts talk to each other (a Prometheus host scrapes the others): bridged lab traffic
    // crosses this machine's FORWARD chain, and never leaves the lab range.
    await ipt(['-A', FWD, '-s', LAB_RANGE, '-d', LAB_RANGE, '-j', 'ACCEPT']);
    await ipt(['-A', FWD, '-d', LAB_RANGE, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT']);
    await ipt(['-A', FWD, '-s', LAB_RANGE, '-j', 'DROP']);
    await ipt(['-A', FWD, '-d', LAB_RANGE, '-j', 'DROP']);
  }
  if (!(await ipt(['-C', 'FORWARD', '-j', FWD]))) await ipt(['-I', 'FORWARD', '1', '-j', FWD]);
  if (!(await ipt(['-t', 'nat', '-n', '-L', NAT]))) {
    await ipt(['-t', 'nat', '-N', NAT]);
    // Hosts talk to each other and to this machine unmasqueraded; only leaving traffic is rewritten.
    await ipt(['-t', 'nat', '-A', NAT, '-s', LAB_RANGE, '-d', LAB_RANGE, '-j', 'RETURN']);
    await ipt(['-t', 'nat', '-A', NAT, '-s', LAB_RANGE, '-j', 'MASQUERADE']);
  }
  if (!(await ipt(['-t', 'nat', '-C', 'POSTROUTING', '-j', NAT]))) await ipt(['-t', 'nat', '-I', 'POSTROUTING', '1', '-j', NAT]);
  writeFileSync(IP_FORWARD, '1\n');
}

/** Call under the global lock when no lab is left. Idempotent; also after a crash half-way. */
export async function natDown(): Promise<void> {
  while (await ipt(['-D', 'FORWARD', '-j', FWD])) {
    /* remove every copy */
  }
  if (await ipt(['-n', '-L', FWD])) {
    await ipt(['-F', FWD]);
    await ipt(['-X', FWD]);
  }
  while (await ipt(['-t', 'nat', '-D', 'POSTROUTING', '-j', NAT])) {
    /* remove every copy */
  }
  if (await ipt(['-t', 'nat', '-n', '-L', NAT])) {
    await ipt(['-t', 'nat', '-F', NAT]);
    await ipt(['-t', 'nat', '-X', NAT]);
  }
  try {
    const saved = JSON.parse(readFileSync(NAT_STATE, 'utf8')) as { ipForward: string };
    writeFileSync(IP_FORWARD, `${saved.ipForward}\n`);
  } catch {
    /* nothing saved: we never changed it */
  }
  rmSync(NAT_STATE, { force: true });
}
