/** The lab's inventory: hosts.yml (usable with -i) and known_hosts with each host's real key. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LabState } from './state.js';

export function writeInventory(s: LabState, hostKeys: Map<string, string>): void {
  mkdirSync(s.inventoryDir, { recursive: true });
  const hosts: Record<string, { ansible_host: string; ansible_port?: number }> = {};
  for (const h of s.hosts) hosts[h.name] = h.port === 22 ? { ansible_host: h.address } : { ansible_host: h.address, ansible_port: h.port };
  const doc = {
    all: {
      vars: { ansible_user: 'root', ansible_ssh_private_key_file: s.keyFile, chom_known_hosts_file: 'known_hosts' },
      hosts,
    },
  };
  const header = `# Written by \`chom-play lab up --name ${s.name}\`; removed by \`chom-play lab down --name ${s.name}\`.\n`;
  writeFileSync(join(s.inventoryDir, 'hosts.yml'), header + stringify(doc));
  const lines = s.hosts.map((h) => {
    const key = (hostKeys.get(h.name) ?? '').split(' ').slice(0, 2).join(' ');
    const addr = h.port === 22 ? h.address : `[${h.address}]:${h.port}`;
    return `${addr} ${key}`;
  });
  writeFileSync(s.knownHostsFile, `${lines.join('\n')}\n`);
}
