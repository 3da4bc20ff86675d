import type { Vars } from '../inventory/model.js';
import { ANSIBLE_FACTS_BASH } from './ansible-script.js';
import { ansibleFacts } from './ansible.js';

/**
 * The fact-gathering script: bash + coreutils only (no Python or agent on the host).
 * Each fact is one line `MARKER name base64(value)`: nothing else on stdout can be taken for a
 * fact, and no value needs escaping. Numbers follow what an operator checks by hand:
 * cpu = nproc, memory_mb = MemTotal / 1024 (floor), disk_gb / disk_free_gb = `df -BG /`
 * (GiB, rounded up the way df rounds).
 */
export function factsScript(marker: string): string {
  return `set +eu
export LC_ALL=C
M=${marker}
f() { printf '%s %s %s\\n' "$M" "$1" "$(printf '%s' "$2" | base64 -w0)"; }
osr() { ( . /etc/os-release 2>/dev/null; eval "printf '%s' \\"\\$$1\\"" ); }
f hostname "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
f fqdn "$(hostname -f 2>/dev/null || hostname 2>/dev/null)"
f os_id "$(osr ID)"
f os_version "$(osr VERSION_ID)"
f os_codename "$(osr VERSION_CODENAME)"
f os_name "$(osr PRETTY_NAME)"
f kernel "$(uname -r)"
f arch "$(uname -m)"
f cpu "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
f memory_mb "$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
f disk_gb "$(df -P -BG / | awk 'NR==2 {sub("G","",$2); print $2}')"
f disk_free_gb "$(df -P -BG / | awk 'NR==2 {sub("G","",$4); print $4}')"
f ipv4 "$(ip -o -4 addr show scope global 2>/dev/null | awk '{split($4,a,"/"); print a[1]}')"
f ipv6 "$(ip -o -6 addr show scope global 2>/dev/null | awk '{split($4,a,"/"); print a[1]}')"
f default_ipv4 "$(ip -o -4 route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}' | xargs -r -I{} ip -o -4 addr show dev {} scope global 2>/dev/null | awk '{split($4,a,"/"); print a[1]; exit}')"
f ssh_port "$(printf '%s' "$SSH_CONNECTION" | awk '{print $4}')"
f systemd "$( [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && echo true || echo false)"
v=$(systemd-detect-virt 2>/dev/null)
[ -z "$v" ] || [ "$v" = none ] && v=$(tr '\\0' '\\n' < /proc/1/environ 2>/dev/null | sed -n 's/^container=//p' | head -n1)
f virtualization "$v"
f user "$(id -un)"
${ANSIBLE_FACTS_BASH}
exit 0
`;
}

const NUMBERS = new Set(['cpu', 'memory_mb', 'disk_gb', 'disk_free_gb', 'ssh_port']);
const LISTS = new Set(['ipv4', 'ipv6']);

/**
 * Turns the script's output into typed facts (numbers, lists, booleans). Ansible's view of the
 * same host sits under `ansible_facts` (src/facts/ansible.ts); the planner exposes it as
 * `ansible_facts.NAME` and `ansible_NAME`.
 */
export function parseFacts(marker: string, stdout: string): Vars {
  const facts: Vars = {};
  const a: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const parts = line.split(' ');
    if (parts.length !== 3 || parts[0] !== marker) continue;
    const [, name, b64] = parts;
    const text = Buffer.from(b64, 'base64').toString('utf8');
    if (name === 'a_all') {
      const parts = text.split('\0');
      for (let i = 0; i + 1 < parts.length; i += 2) a[parts[i]] = parts[i + 1];
      continue;
    }
    if (name.startsWith('a_')) {
      a[name] = text;
      continue;
    }
    const raw = text.trim();
    if (name === 'arch') a.arch = raw;
    if (NUMBERS.has(name)) facts[name] = /^\d+$/.test(raw) ? Number(raw) : null;
    else if (LISTS.has(name)) facts[name] = raw ? raw.split('\n') : [];
    else if (name === 'systemd') facts[name] = raw === 'true';
    else facts[name] = raw || (name === 'virtualization' ? 'none' : '');
  }
  if (Object.keys(a).some((k) => k.startsWith('a_'))) facts.ansible_facts = ansibleFacts(a);
  return facts;
}
