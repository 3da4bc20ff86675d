/**
 * Lab networking: one bridge per lab holding a /24 of 198.18.0.0/15 (RFC 2544, benchmarking only),
 * one network namespace per host joined to it by a veth pair. Hosts can reach each other and this
 * machine; nothing else, except the NAT route in nat.ts for package downloads.
 */
import { LabError } from '../errors.js';
import { run, must } from './exec.js';

/** 198.18.0.0/15 holds 512 /24s. */
export const SLOTS = 512;
/** .1 is the machine's side (gateway), hosts take .2 upwards, .255 is broadcast. */
export const MAX_HOSTS = 253;
export const LAB_RANGE = '198.18.0.0/15';

export function slotAddress(slot: number, last: number): string {
  const n = 198 * 2 ** 24 + 18 * 2 ** 16 + slot * 256 + last;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function pickSlot(used: Set<number>): number {
  for (let s = 0; s < SLOTS; s++) if (!used.has(s)) return s;
  throw new LabError(`all ${SLOTS} lab subnets are in use`, 'bring some labs down: chom-play lab status; chom-play lab down --name NAME');
}

export async function linkExists(name: string): Promise<boolean> {
  return (await run(['ip', 'link', 'show', 'dev', name])).code === 0;
}

export async function netnsExists(name: string): Promise<boolean> {
  const r = await run(['ip', 'netns', 'list']);
  return r.stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

export async function createBridge(bridge: string, gateway: string): Promise<void> {
  if (!(await linkExists(bridge))) await must(['ip', 'link', 'add', bridge, 'type', 'bridge']);
  await must(['ip', 'addr', 'replace', `${gateway}/24`, 'dev', bridge]);
  await must(['ip', 'link', 'set', bridge, 'up']);
}

export async function createHostNet(h: { netns: string; veth: string; address: string }, bridge: string, gateway: string): Promise<void> {
  const add = await run(['ip', 'netns', 'add', h.netns]);
  if (add.code !== 0) {
    if (/Operation not permitted|not supported/i.test(add.stderr)) {
      throw new LabError(
        `cannot create network namespace ${h.netns}: ${add.stderr.trim()}`,
        'run as root on a kernel with network namespaces (CONFIG_NET_NS)',
      );
    }
    throw new LabError(
      `cannot create network namespace ${h.netns}: ${add.stderr.trim()}`,
      `a previous lab may be left over: chom-play lab down --name ...`,
    );
  }
  await must(['ip', 'link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.netns]);
  await must(['ip', 'link', 'set', h.veth, 'master', bridge, 'up']);
  const ns = ['ip', '-n', h.netns];
  await must([...ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
  await must([...ns, 'link', 'set', 'lo', 'up']);
  await must([...ns, 'link', 'set', 'eth0', 'up']);
  await must([...ns, 'route', 'add', 'default', 'via', gateway]);
}

/** Idempotent: missing things are fine. */
export async function deleteHostNet(h: { netns: string; veth: string }): Promise<void> {
  if (await netnsExists(h.netns)) await run(['ip', 'netns', 'delete', h.netns]);
  if (await linkExists(h.veth)) await run(['ip', 'link', 'delete', h.veth]);
}

export async function deleteBridge(bridge: string): Promise<void> {
  if (await linkExists(bridge)) await run(['ip', 'link', 'delete', bridge]);
}
