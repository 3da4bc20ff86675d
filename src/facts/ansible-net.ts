import type { Vars } from '../inventory/model.js';

/**
 * Network facts under Ansible's names from `ip -o addr`, `ip -o link` and `ip route get`
 * (the way ansible-core's linux network collector finds the default interface: the route to a
 * public address, computed locally; no packet is sent).
 */
type Raw = Record<string, string>;

interface Link {
  mtu: number;
  mac?: string;
  type: string;
  active: boolean;
  promisc: boolean;
}
interface Addr4 {
  dev: string;
  label: string;
  address: string;
  prefix: string;
  broadcast: string;
}
interface Addr6 {
  dev: string;
  address: string;
  prefix: string;
  scope: string;
}

function links(text: string): Map<string, Link> {
  const out = new Map<string, Link>();
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>.*?\bmtu (\d+)/.exec(line);
    if (!m) continue;
    const lt = /link\/(\S+)(?:\s+([0-9a-f:]{17}))?/.exec(line);
    const kind = lt?.[1] ?? '';
    const flags = m[2].split(',');
    out.set(m[1], {
      mtu: Number(m[3]),
      mac: kind === 'ether' ? lt?.[2] : undefined,
      type: kind === 'ether' ? 'ether' : kind === 'loopback' ? 'loopback' : 'unknown',
      active: flags.includes('UP'),
      promisc: flags.includes('PROMISC'),
    });
  }
  return out;
}

function netmask(prefix: number): string {
  const n = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function network4(address: string, prefix: number): string {
  const mask = netmask(prefix).split('.').map(Number);
  return address
    .split('.')
    .map((o, i) => Number(o) & mask[i])
    .join('.');
}

function addrs(text: string): { v4: Addr4[]; v6: Addr6[] } {
  const v4: Addr4[] = [],
    v6: Addr6[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+)\s+(inet6?)\s+([^/\s]+)\/(\d+)(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[5].split('\\')[0];
    const scope = /\bscope (\S+)/.exec(rest)?.[1] ?? '';
    if (m[2] === 'inet') {
      const words = rest.trim().split(/\s+/);
      v4.push({
        dev: m[1],
        label: words[words.length - 1] || m[1],
        address: m[3],
        prefix: m[4],
        broadcast: /\bbrd (\S+)/.exec(rest)?.[1] ?? '',
      });
    } else v6.push({ dev: m[1], address: m[3], prefix: m[4], scope });
  }
  return { v4, v6 };
}

function iface(name: string, l: Link | undefined, v4: Addr4[], v6: Addr6[]): Vars {
  const mine4 = v4.filter((a) => a.dev === name);
  const first = mine4[0];
  return {
    device: name,
    active: l?.active ?? false,
    promisc: l?.promisc ?? false,
    type: l?.type ?? 'unknown',
    ...(l ? { mtu: l.mtu } : {}),
    ...(l?.mac ? { macaddress: l.mac } : {}),
    ...(first
      ? {
          ipv4: {
            address: first.address,
            broadcast: first.broadcast,
            netmask: netmask(Number(first.prefix)),
            network: network4(first.address, Number(first.prefix)),
            prefix: first.prefix,
          },
        }
      : {}),
    ...(mine4.length > 1
      ? {
          ipv4_secondaries: mine4.slice(1).map((a) => ({
            address: a.address,
            broadcast: a.broadcast,
            netmask: netmask(Number(a.prefix)),
            network: network4(a.address, Number(a.prefix)),
            prefix: a.prefix,
          })),
        }
      : {}),
    ...(v6.some((a) => a.dev === name)
      ? { ipv6: v6.filter((a) => a.dev === name).map((a) => ({ address: a.address, prefix: a.prefix, scope: a.scope })) }
      : {}),
  };
}

function route(text: string): { dev?: string; via?: string; src?: string } {
  return {
    dev: /\bdev (\S+)/.exec(text)?.[1],
    via: /\bvia (\S+)/.exec(text)?.[1],
    src: /\bsrc (\S+)/.exec(text)?.[1],
  };
}

export function network(raw: Raw): Vars {
  const ls = links(raw.a_link ?? '');
  const { v4, v6 } = addrs(raw.a_addr ?? '');
  const out: Vars = {
    interfaces: [...ls.keys()],
    all_ipv4_addresses: v4.filter((a) => !a.address.startsWith('127.')).map((a) => a.address),
    all_ipv6_addresses: v6.filter((a) => a.address !== '::1').map((a) => a.address),
  };
  for (const name of ls.keys()) out[name.replace(/[^A-Za-z0-9_]/g, '_')] = iface(name, ls.get(name), v4, v6);
  const routes = (raw.a_route ?? '').split('\n');
  const r4 = route(routes.find((l) => /^\d+\./.test(l)) ?? '');
  const d4: Vars = {};
  if (r4.dev) {
    const l = ls.get(r4.dev);
    const a = v4.find((x) => x.dev === r4.dev && (r4.src === undefined || x.address === r4.src)) ?? v4.find((x) => x.dev === r4.dev);
    Object.assign(d4, { interface: r4.dev, address: r4.src ?? a?.address ?? '', gateway: r4.via ?? '' });
    if (a)
      Object.assign(d4, {
        address: a.address,
        alias: a.label,
        broadcast: a.broadcast,
        netmask: netmask(Number(a.prefix)),
        network: network4(a.address, Number(a.prefix)),
        prefix: a.prefix,
      });
    if (l) Object.assign(d4, { ...(l.mac ? { macaddress: l.mac } : {}), mtu: l.mtu, type: l.type });
  }
  const r6 = route(routes.find((l) => /^[0-9a-f]*:/.test(l)) ?? '');
  const d6: Vars = {};
  if (r6.dev) {
    const l = ls.get(r6.dev);
    const a = v6.find((x) => x.dev === r6.dev && x.address === r6.src) ?? v6.find((x) => x.dev === r6.dev && x.scope === 'global');
    Object.assign(d6, { interface: r6.dev, address: r6.src ?? a?.address ?? '', gateway: r6.via ?? '' });
    if (a) Object.assign(d6, { address: a.address, prefix: a.prefix, scope: a.scope });
    if (l) Object.assign(d6, { ...(l.mac ? { macaddress: l.mac } : {}), mtu: l.mtu, type: l.type });
  }
  out.default_ipv4 = d4;
  out.default_ipv6 = d6;
  return out;
}
