/** Ansible's recap counters for one host. */
export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 };
}

/** `web1 : ok=3 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0`, padded like Ansible. */
export function recapLine(host: string, s: HostStats, width: number): string {
  return `${host.padEnd(width)} : ok=${s.ok}    changed=${s.changed}    unreachable=${s.unreachable}    failed=${s.failed}    skipped=${s.skipped}    rescued=${s.rescued}    ignored=${s.ignored}`;
}

/** 0 all good, 2 some host failed, 4 some host unreachable (4 wins, as in Ansible). */
export function exitCodeFor(stats: Map<string, HostStats>): number {
  let code = 0;
  for (const s of stats.values()) {
    if (s.unreachable > 0) return 4;
    if (s.failed > 0) code = 2;
  }
  return code;
}
