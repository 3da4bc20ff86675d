import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  name: { type: 'list', aliases: ['pkg'], default: [] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent', 'latest'] },
  // No default: absent means "only when cache_valid_time is given" (Ansible >= 2.4).
  update_cache: { type: 'bool', aliases: ['update-cache'] },
  cache_valid_time: { type: 'int' },
  // No default: absent leaves apt's own setting alone.
  install_recommends: { type: 'bool', aliases: ['install-recommends'] },
  purge: { type: 'bool', default: false },
  autoremove: { type: 'bool', default: false },
} as const;

/** `name: [a, b]`, `name: a` or `name: "a, b"` (Ansible splits comma lists too). */
function packages(v: string[]): string[] {
  const items = v.map((s) => s.trim()).filter((s) => s !== '');
  for (const p of items) {
    // Debian package names never start with '-' and never hold spaces; anything else is a typo or an injection.
    if (!/^[A-Za-z0-9][A-Za-z0-9+.:~_=-]*$/.test(p)) throw new ModuleArgError(`invalid package name ${JSON.stringify(p)}`, 'name');
  }
  return items;
}

// Runtime helpers shared by every branch: status from dpkg (with the check-mode prediction on top).
const HELPERS = String.raw`export DEBIAN_FRONTEND=noninteractive APT_LISTCHANGES_FRONTEND=none
APT=(apt-get -y -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
# "ii " installed, "rc " config files left, "" never installed (db:Status-Abbrev: wanted + status).
pkg_status() { dpkg-query -W -f='\${db:Status-Abbrev}' "$1" 2>/dev/null || true; }
predicted() { chom_check && chom_state_get "pkg:$1" 2>/dev/null || true; }
is_installed() { local p; p=$(predicted "$1"); [ -n "$p" ] && { [ "$p" = present ]; return; }; case "$(pkg_status "$1")" in ?i*) return 0 ;; esac; return 1; }
apt_run() { local out rc=0; out=$("\${APT[@]}" "$@" 2>&1) || rc=$?; printf '%s\n' "$out"; [ "$rc" -eq 0 ] && return 0
  chom_fail "apt-get $1 failed (exit $rc): $(grep -E '^(E|W):' <<<"$out" | tail -n 5)"; }
note=""; cache_pending=no
# Another apt/dpkg (unattended-upgrades...) may hold the lock: wait for it (bounded), then repair
# a dpkg run that was interrupted, which would otherwise make every apt-get below fail.
if ! chom_check; then chom_wait_pkg_lock 120; note=\${CHOM_PKG_LOCK_WAITED:-}; fi
if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
  if chom_check; then chom_changed "would repair the interrupted dpkg state (dpkg --configure -a)"
  else
    out=$(dpkg --force-confdef --force-confold --configure -a 2>&1) || { printf '%s\n' "$out"; chom_fail "dpkg --configure -a (repairing an interrupted dpkg run) failed: $(tail -n 3 <<<"$out")"; }
    chom_changed "repaired the interrupted dpkg state (dpkg --configure -a)"
  fi
fi
`.replace(/\\\$\{/g, '${');

/**
 * Debian packages through apt-get, decided by dpkg-query. Only packages that differ from the
 * wanted state are passed to apt-get, so a second run is ok. In check mode nothing is changed:
 * installs are simulated (apt-get -s fails the same way a real install would, e.g. an unknown
 * name) and "pkg:NAME" predicted states are recorded for later tasks.
 */
function compile(p: Params<typeof args>): string {
  const pkgs = packages(p.name);
  const { state, purge, autoremove } = p;
  // As in Ansible >= 2.4, giving cache_valid_time implies update_cache.
  const update = p.update_cache ?? p.cache_valid_time !== undefined;
  const validTime = p.cache_valid_time ?? 0;
  const recommends = p.install_recommends;
  if (pkgs.length === 0 && !update && !autoremove) {
    throw new ModuleArgError('give name (the packages) or update_cache: yes or autoremove: yes', 'name');
  }
  const L: string[] = [`# apt state=${state} ${pkgs.join(' ')}`, HELPERS];
  L.push(`pkgs=(${pkgs.map(quote).join(' ')})`);
  if (update) L.push(updateCache(validTime, pkgs.length === 0));
  if (pkgs.length > 0) L.push(state === 'absent' ? removeBody(purge) : installBody(state === 'latest', recommends));
  if (autoremove) {
    L.push(
      `n=$(apt-get -s ${purge ? '--purge ' : ''}autoremove 2>/dev/null | grep -c '^Remv ' || true)`,
      'if [ "$n" -gt 0 ]; then',
      '  if chom_check; then chom_changed "would autoremove $n packages"; else',
      `  apt_run ${purge ? '--purge ' : ''}autoremove; chom_changed "autoremoved $n packages"; fi`,
      'else chom_ok "nothing to autoremove"; fi',
    );
  }
  return L.join('\n') + '\n';
}

/**
 * Skips the update while the cache is younger than cache_valid_time. The age is the newer of
 * the update-success stamp (which we touch after every successful update, as Ubuntu's apt hook
 * does) and the lists directory; a host with no package lists at all always updates.
 */
function updateCache(validTime: number, alone: boolean): string {
  return [
    `valid=${quote(validTime)}`,
    'stamp=/var/lib/apt/periodic/update-success-stamp',
    'age=999999999',
    'if compgen -G "/var/lib/apt/lists/*_Packages" >/dev/null; then',
    '  t=0; for f in "$stamp" /var/lib/apt/lists; do [ -e "$f" ] && { m=$(stat -c %Y "$f"); [ "$m" -gt "$t" ] && t=$m; }; done',
    '  age=$(( $(date +%s) - t ))',
    'fi',
    'if [ "$valid" -gt 0 ] && [ "$age" -lt "$valid" ]; then note="${note:+$note; }apt cache is ${age}s old (valid ${valid}s)"',
    'elif chom_check; then cache_pending=yes; note="${note:+$note; }would update the apt cache"',
    'else',
    '  out=$(apt-get update -q --error-on=any 2>&1) || { printf "%s\\n" "$out"; chom_fail "apt-get update failed: $(grep -E \'^(E|W):\' <<<"$out" | tail -n 5)"; }',
    '  mkdir -p "${stamp%/*}" && touch "$stamp"',
    '  note="${note:+$note; }apt cache updated"',
    'fi',
    // update_cache alone: changed when the cache was (or would be) updated, as in Ansible.
    alone
      ? 'case "$note" in *"apt cache updated"|*"would update the apt cache") chom_changed "$note" ;; *) chom_ok "$note" ;; esac'
      : ':',
  ].join('\n');
}

function installBody(latest: boolean, recommends: boolean | undefined): string {
  const rec = recommends === undefined ? '' : recommends ? '--install-recommends ' : '--no-install-recommends ';
  return [
    'todo=(); what=()',
    'for p in "${pkgs[@]}"; do',
    '  n=${p%%=*}',
    '  if ! is_installed "$n"; then todo+=("$p"); what+=("$p"); continue; fi',
    '  [ -n "$(predicted "$n")" ] && continue',
    '  if [[ $p == *=* ]]; then',
    '    v=$(dpkg-query -W -f=\'${Version}\' "$n" 2>/dev/null || true)',
    '    [ "$v" = "${p#*=}" ] || { todo+=("$p"); what+=("$n $v -> ${p#*=}"); }',
    latest
      ? [
          '  else',
          '    pol=$(LC_ALL=C apt-cache policy "$n" 2>/dev/null || true)',
          '    inst=$(sed -n "s/^ *Installed: //p" <<<"$pol"); cand=$(sed -n "s/^ *Candidate: //p" <<<"$pol")',
          '    if [ -n "$cand" ] && [ "$cand" != "(none)" ] && [ "$cand" != "$inst" ]; then todo+=("$n"); what+=("$n $inst -> $cand"); fi',
        ].join('\n')
      : '',
    '  fi',
    'done',
    'if [ ${#todo[@]} -eq 0 ]; then chom_ok "${note:+$note; }all of ${pkgs[*]} installed"; return 0; fi',
    'msg=$(printf "%s, " "${what[@]}"); msg=${msg%, }',
    'if chom_check; then',
    // A simulation fails exactly like the real install (unknown package, conflicts), unless the
    // cache update this task would do first could change the answer.
    `  if ! sim=$(apt-get -s install ${rec}"\${todo[@]}" 2>&1) && [ "$cache_pending" != yes ]; then`,
    '    printf "%s\\n" "$sim"; chom_fail "apt-get install would fail: $(grep -E \'^E:\' <<<"$sim" | tail -n 5)"',
    '  fi',
    '  for p in "${todo[@]}"; do chom_state_set "pkg:${p%%=*}" present; done',
    '  chom_changed "${note:+$note; }would install: $msg"; return 0',
    'fi',
    // Rollback purges what this task newly installs (only with --rollback-packages).
    'for p in "${todo[@]}"; do case "$(pkg_status "${p%%=*}")" in ?i*) ;; *) chom_journal pkg "${p%%=*}" purge ;; esac; done',
    `apt_run install ${rec}"\${todo[@]}"`,
    'chom_changed "${note:+$note; }installed: $msg"',
  ].join('\n');
}

function removeBody(purge: boolean): string {
  return [
    'todo=()',
    'for p in "${pkgs[@]}"; do',
    '  n=${p%%=*}; pr=$(predicted "$n")',
    '  if [ -n "$pr" ]; then [ "$pr" = present ] && todo+=("$n"); continue; fi',
    '  st=$(pkg_status "$n")',
    // Second letter: n = not installed, c = only config files (left alone unless purge).
    `  case "$st" in "" | ?n*) ;; ?c*) ${purge ? 'todo+=("$n")' : ':'} ;; *) todo+=("$n") ;; esac`,
    'done',
    'if [ ${#todo[@]} -eq 0 ]; then chom_ok "${note:+$note; }none of ${pkgs[*]} installed"; return 0; fi',
    'msg=$(printf "%s, " "${todo[@]}"); msg=${msg%, }',
    'if chom_check; then',
    '  for n in "${todo[@]}"; do chom_state_set "pkg:$n" absent; done',
    `  chom_changed "\${note:+$note; }would ${purge ? 'purge' : 'remove'}: $msg"; return 0`,
    'fi',
    `apt_run ${purge ? 'purge' : 'remove'} "\${todo[@]}"`,
    `chom_changed "\${note:+$note; }${purge ? 'purged' : 'removed'}: $msg"`,
  ].join('\n');
}

export default defineModule({ name: 'apt', args, compile });
