import type { Vars } from '../inventory/model.js';
import { network } from './ansible-net.js';

/**
 * Ansible's fact names, types and values (Debian/Ubuntu), built on the controller from the raw
 * lines of ANSIBLE_FACTS_BASH. The rules follow what ansible-core's setup module reports on the
 * same host (checked by test/e2e/differential-modules.test.ts): numbers stay numbers where
 * Ansible's are numbers (memtotal_mb, mtu, processor_vcpus), strings where Ansible's are strings
 * (prefix, date_time, distribution_major_version). Python facts are absent: there is no Python.
 */
export type Raw = Record<string, string>;

const num = (s: string | undefined): number => (s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s.trim()) : 0);

function osRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return out;
}

const DIST_NAMES: Record<string, string> = {
  debian: 'Debian',
  ubuntu: 'Ubuntu',
  linuxmint: 'Linux Mint',
  raspbian: 'Debian',
  kali: 'Kali',
  devuan: 'Devuan',
  pop: 'Pop!_OS',
};
const DEBIAN_LIKE = new Set(['debian', 'ubuntu', 'linuxmint', 'raspbian', 'kali', 'devuan', 'pop']);

function distribution(raw: Raw): Vars {
  const osr = osRelease(raw.a_osr ?? '');
  const id = (osr.ID ?? '').toLowerCase();
  const like = (osr.ID_LIKE ?? '').toLowerCase().split(/\s+/);
  const name = DIST_NAMES[id] ?? osr.NAME ?? 'Linux';
  const debver = (raw.a_debver ?? '').trim();
  let version = osr.VERSION_ID ?? '';
  // Debian's point release lives in /etc/debian_version (12.11); Ansible reports it only when
  // lsb_release is installed (its distro library's "best" version), else os-release's 12.
  if (id === 'debian' && raw.a_lsb === '1' && /^\d+(\.\d+)*$/.test(debver)) version = debver;
  const [major = ''] = version.split('.');
  const minor = id === 'debian' ? (/(\d+)\.(\d+)/.exec(debver)?.[2] ?? '') : (version.split('.')[1] ?? '');
  const release =
    osr.VERSION_CODENAME ||
    osr.UBUNTU_CODENAME ||
    (/\(([a-z]+)\)/i.exec(osr.VERSION ?? '')?.[1] ?? '').toLowerCase() ||
    (id === 'debian' && /^[a-z]+\//.test(debver) ? debver.split('/')[0] : '');
  const family = DEBIAN_LIKE.has(id) || like.includes('debian') || like.includes('ubuntu') ? 'Debian' : name;
  return {
    distribution: name,
    distribution_version: version,
    distribution_major_version: major,
    ...(minor !== '' ? { distribution_minor_version: minor } : {}),
    distribution_release: release,
    distribution_file_variety: family === 'Debian' ? 'Debian' : name,
    os_family: family,
    pkg_mgr: family === 'Debian' ? 'apt' : 'unknown',
  };
}

function kernel(raw: Raw): Vars {
  const line = (k: string): string => (raw[k] ?? '').trim();
  const [system, release, version, node] = [line('a_ostype') || 'Linux', line('a_osrelease'), line('a_kversion'), line('a_node')];
  // Python's socket.getfqdn(): the first name with a dot among the reverse lookup's names,
  // else that lookup's canonical name, else the host name itself.
  const names = (raw.a_fqdn ?? '').trim().split(/\s+/).slice(1);
  const fqdn = names.find((n) => n.includes('.')) ?? names[0] ?? node;
  return {
    system,
    kernel: release,
    kernel_version: version,
    nodename: node,
    hostname: node.split('.')[0],
    fqdn,
    domain: fqdn.includes('.') ? fqdn.slice(fqdn.indexOf('.') + 1) : '',
  };
}

function processors(raw: Raw): Vars {
  const procs: Array<Record<string, string>> = [];
  for (const line of (raw.a_cpu ?? '').split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'processor') procs.push({});
    if (procs.length > 0) procs[procs.length - 1][m[1]] = m[2];
  }
  const sockets = new Set(procs.map((p) => p['physical id'] ?? '0'));
  const count = sockets.size || 1;
  const cores = num(procs[0]?.['cpu cores']) || 1;
  const siblings = num(procs[0]?.siblings) || cores;
  const list: string[] = [];
  for (const p of procs) list.push(p.processor ?? '', p.vendor_id ?? '', p['model name'] ?? '');
  return {
    processor: list,
    processor_count: count,
    processor_cores: cores,
    processor_threads_per_core: Math.max(1, Math.floor(siblings / cores)),
    processor_vcpus: procs.length || count * siblings,
    processor_nproc: procs.length,
  };
}

function memory(raw: Raw): Vars {
  const kb: Record<string, number> = {};
  for (const line of (raw.a_mem ?? '').split('\n')) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kb[m[1]] = Number(m[2]);
  }
  const mb = (k: string): number => Math.floor((kb[k] ?? 0) / 1024);
  const total = mb('MemTotal'),
    free = mb('MemFree'),
    swapT = mb('SwapTotal'),
    swapF = mb('SwapFree');
  const nocacheFree = free + mb('Buffers') + mb('Cached');
  return {
    memtotal_mb: total,
    memfree_mb: free,
    swaptotal_mb: swapT,
    swapfree_mb: swapF,
    memory_mb: {
      real: { total, free, used: total - free },
      nocache: { free: nocacheFree, used: total - nocacheFree },
      swap: { total: swapT, free: swapF, used: swapT - swapF, cached: mb('SwapCached') },
    },
  };
}

/** Ansible's service_mgr rules (ansible/module_utils/facts/system/service_mgr.py) for Linux. */
function serviceMgr(raw: Raw): string {
  const comm = raw.a_comm ?? '';
  const [canary = '0', initLink = '', initd = '0', openrc = '0', upstart = '0'] = (raw.a_svc ?? '').split('|');
  const map: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };
  const p1 = comm.trim().split('/').pop() ?? '';
  if (p1 !== '' && p1 !== 'init' && !p1.endsWith('sh')) return map[p1] ?? p1;
  if (canary === '1') return 'systemd';
  if (upstart === '1') return 'upstart';
  if (openrc === '1') return 'openrc';
  if (initLink.split('/').pop() === 'systemd') return 'systemd';
  if (initd === '1') return 'sysvinit';
  return 'service';
}

function user(raw: Raw, env: Record<string, string>): Vars {
  const pw = (raw.a_pw ?? '').split(':');
  const ids = (k: string): number[] =>
    (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(raw.a_status ?? '')?.[1] ?? '').split(/\s+/).map((s) => num(s));
  const [uid = 0, euid = 0] = ids('Uid');
  const [rgid = 0, gid = 0] = ids('Gid');
  return {
    user_id: pw[0] ?? env.USER ?? '',
    user_uid: num(pw[2] ?? String(euid)),
    user_gid: num(pw[3] ?? String(gid)),
    user_gecos: pw[4] ?? '',
    user_dir: pw[5] ?? env.HOME ?? '',
    user_shell: pw[6] ?? '',
    real_user_id: uid,
    effective_user_id: euid,
    effective_group_id: gid,
    real_group_id: rgid,
  };
}

function environ(raw: Raw): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of (raw.a_env ?? '').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

function dateTime(raw: Raw): Vars {
  const [Y, m, d, H, M, S, tz, off, weekday, wnum, wk, basic, utc, epoch, micro = '000000', , dstName] = (raw.a_date ?? '').split('|');
  const us = micro.padEnd(6, '0').slice(0, 6);
  return {
    date_time: {
      year: Y,
      month: m,
      day: d,
      hour: H,
      minute: M,
      second: S,
      weekday,
      weekday_number: wnum,
      weeknumber: wk,
      epoch,
      epoch_int: epoch,
      date: `${Y}-${m}-${d}`,
      time: `${H}:${M}:${S}`,
      iso8601: `${utc}Z`,
      iso8601_micro: `${utc}.${us}Z`,
      iso8601_basic: `${basic}${us}`,
      iso8601_basic_short: basic,
      tz,
      tz_dst: dstName || tz,
      tz_offset: off,
    },
  };
}

/**
 * Ansible's guest detection (module_utils/facts/virtual/linux.py), the common cases in its order:
 * container markers of pid 1 first, then DMI names. Not systemd-detect-virt: Ansible does not
 * ask it, and the two disagree (a KVM guest without DMI is 'NA' for Ansible).
 */
function virtualization(raw: Raw): string {
  const cg = raw.a_cgroup1 ?? '';
  if (/\/docker\//.test(cg)) return 'docker';
  if (/\/lxc\//.test(cg)) return 'lxc';
  if (/\/system\.slice\/containerd\.service/.test(cg)) return 'containerd';
  const ce = raw.a_container ?? '';
  if (ce === 'lxc' || ce === 'podman') return ce;
  if (ce !== '') return 'container';
  if (raw.a_virtfiles === 'openvz') return 'openvz';
  const sd = (raw.a_sdcontainer ?? '').trim();
  if (sd) return sd;
  if (raw.a_virtfiles === 'docker') return 'docker';
  const product = (raw.a_dmi_product ?? '').trim(),
    vendor = (raw.a_dmi_vendor ?? '').trim();
  if (
    /^(KVM|KVM Virtual Machine|Bochs|AHV)$/.test(product) ||
    /^(QEMU|Amazon EC2|Google|OpenStack Foundation|DigitalOcean|Hetzner)/.test(vendor)
  )
    return 'kvm';
  if (/^(VMware|VMware Virtual Platform)/.test(product) || vendor === 'VMware, Inc.') return 'VMware';
  if (product === 'VirtualBox' || vendor === 'innotek GmbH') return 'virtualbox';
  if (/^HVM domU/.test(product) || vendor === 'Xen') return 'xen';
  if (vendor === 'Microsoft Corporation' && product === 'Virtual Machine') return 'VirtualPC';
  return '';
}

function chroot(raw: Raw): boolean {
  const [a, b] = (raw.a_chroot ?? '').split('\n');
  return a !== undefined && b !== undefined && a !== b;
}

function dns(raw: Raw): Vars {
  const out: { nameservers?: string[]; search?: string[]; domain?: string; options?: Record<string, string | boolean> } = {};
  for (const line of (raw.a_resolv ?? '').split('\n')) {
    const w = line
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (w[0] === 'nameserver' && w[1]) (out.nameservers ??= []).push(w[1]);
    else if (w[0] === 'search') out.search = w.slice(1);
    else if (w[0] === 'domain' && w[1]) out.domain = w[1];
    else if (w[0] === 'options')
      for (const o of w.slice(1)) {
        const [k, v] = o.split(':');
        (out.options ??= {})[k] = v ?? true;
      }
  }
  return out;
}

/** Every Ansible-named fact (without the `ansible_` prefix, as under ansible_facts). */
export function ansibleFacts(raw: Raw): Vars {
  const env = environ(raw);
  const virt = virtualization(raw);
  return {
    ...distribution(raw),
    ...kernel(raw),
    architecture: raw.arch ?? '',
    machine: raw.arch ?? '',
    userspace_architecture: raw.arch ?? '',
    userspace_bits: /64/.test(raw.arch ?? '') ? '64' : '32',
    ...processors(raw),
    ...memory(raw),
    service_mgr: serviceMgr(raw),
    ...network(raw),
    mounts: mounts(raw),
    ...user(raw, env),
    env,
    ...dateTime(raw),
    dns: dns(raw),
    machine_id: ((raw.a_dbus_id ?? '').trim() || (raw.a_machine_id ?? '').trim()).split('\n')[0],
    is_chroot: chroot(raw),
    apparmor: { status: raw.a_apparmor ?? 'disabled' },
    fips: (raw.a_fips ?? '').trim() === '1',
    virtualization_type: virt || 'NA',
    virtualization_role: virt ? 'guest' : 'NA',
    local: {},
  };
}

function mounts(raw: Raw): Vars[] {
  const lines = (raw.a_mounts ?? '').split('\n').filter((l) => l.trim() !== '');
  // stat -f skips a mount it cannot read, so lines are matched by mount point (%n), not position.
  const stats = new Map<string, string>();
  for (const l of (raw.a_statfs ?? '').split('\n')) {
    const w = l.split(' ');
    if (w.length >= 8) stats.set(w.slice(7).join(' '), w.slice(0, 7).join(' '));
  }
  const out: Vars[] = [];
  lines.forEach((line) => {
    const [device = '', mount = '', fstype = '', options = ''] = line
      .split(' ')
      .map((s) => s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
    const st = (stats.get(mount) ?? '-').split(' ').map(Number);
    const entry: Vars = { mount, device, fstype, options, uuid: 'N/A' };
    if (st.length === 7 && st.every((n) => Number.isFinite(n))) {
      const [frsize, bsize, blocks, _bfree, bavail, files, ffree] = st;
      Object.assign(entry, {
        size_total: frsize * blocks,
        size_available: frsize * bavail,
        block_size: bsize,
        block_total: blocks,
        block_available: bavail,
        block_used: blocks - bavail,
        inode_total: files,
        inode_available: ffree,
        inode_used: files - ffree,
      });
    }
    out.push(entry);
  });
  return out;
}
