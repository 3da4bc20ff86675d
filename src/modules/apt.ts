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
 * An install's undo record (read by rollback, shell/prelude/undo.sh). apt installs dependencies
 * and maintainer scripts create users, groups, /etc files and data directories; none of that is
 * named in the task. So the host is listed before the transaction and the difference journaled
 * after it (also after a failed one: it may have installed half). Journal order is chosen for
 * the newest-first replay: packages are purged first (their scripts stop services and remove
 * most of what they made), then leftovers in /etc are deleted (children before parents), new
 * directories under /var/lib, /var/log and /var/cache removed when empty or reported kept
 * (data: MariaDB's tables, logs), then the users and groups.
 */
const UNDO_RECORD = String.raw`pkg_list() { dpkg-query -W -f='\${binary:Package}\t\${db:Status-Abbrev}\n' 2>/dev/null | sort; }
names_of() { cut -d: -f1 "$1" | sort; }
var_dirs() { find /var/lib /var/log /var/cache -mindepth 1 -maxdepth 1 -xdev -type d 2>/dev/null | sort || true; }
etc_paths() { find /etc /var/lib/dpkg/alternatives -xdev 2>/dev/null | sort || true; }
run_dirs() { find /run -mindepth 1 -maxdepth 1 -xdev -type d 2>/dev/null | sort || true; }
undo_snapshot() { snap_run=$(run_dirs); snap_pkgs=$(pkg_list); snap_users=$(names_of /etc/passwd); snap_groups=$(names_of /etc/group); snap_etc=$(etc_paths); snap_var=$(var_dirs); }
new_lines() { comm -13 <(printf '%s\n' "$1") <(printf '%s\n' "$2") | grep -v '^$' || true; }
undo_journal() {
  local x p purge remove etc
  for x in $(new_lines "$snap_groups" "$(names_of /etc/group)"); do chom_journal group "$x" groupdel; done
  for x in $(new_lines "$snap_users" "$(names_of /etc/passwd)"); do chom_journal user "$x" userdel; done
  while IFS= read -r x; do chom_journal mkdir "$x" rmdir; done < <(new_lines "$snap_var" "$(var_dirs)")
  # /etc (and dpkg's alternatives registry): the new paths no package owns (maintainer
  # scripts' work, e.g. /etc/mysql/debian.cnf or an alternative, which purge may leave), and
  # the new directories above them (a leftover keeps dpkg from removing its directory). ONE
  # journal step with a list (parents first; replayed children first) instead of a step per
  # path: most are gone after the purge, and the recap would list each of them.
  etc=$(new_lines "$snap_etc" "$(etc_paths)")
  local -A fresh=(); local -a files=(); local dirs="" lst
  while IFS= read -r x; do [ -z "$x" ] || fresh[$x]=1; done <<<"$etc"
  while IFS= read -r x; do
    [ -n "$x" ] || continue
    if [ -d "$x" ] && [ ! -L "$x" ]; then dirs+="$x"$'\n'; else files+=("$x"); fi
    p=\${x%/*}; while [ -n "\${fresh[$p]:-}" ]; do dirs+="$p"$'\n'; p=\${p%/*}; done
  done < <(comm -23 <(printf '%s\n' "$etc") <(cat /var/lib/dpkg/info/*.list 2>/dev/null | grep '^/etc/' | sort -u))
  # New runtime directories (/run/mysqld) too: left behind owned by a uid the purge frees, they
  # would make the next install of the same service fail (seen with MariaDB).
  while IFS= read -r x; do [ -z "$x" ] || files+=("$x"); done < <(new_lines "$snap_run" "$(run_dirs)")
  if [ -n "$dirs" ] || [ \${#files[@]} -gt 0 ]; then
    lst="$CHOM_BACKUP_DIR/pkg-leftovers.\${CHOM_TASK_ID:-0}.$RANDOM"
    mkdir -p -m 0700 "$CHOM_BACKUP_DIR"
    { printf '%s' "$dirs" | sort -u; [ \${#files[@]} -eq 0 ] || printf '%s\n' "\${files[@]}"; } >"$lst"
    chom_journal leftovers "$lst" delete
  fi
  # Packages now installed that were not before; those that had only config files left (rc)
  # go back to that state (remove), the others are purged. One step each: one apt-get call.
  IFS=$'\t' read -r purge remove < <(pkg_list | awk -F'\t' 'NR == FNR { s[$1] = $2; next }
    $2 ~ /^.i/ && s[$1] !~ /^.i/ { if (s[$1] ~ /^.c/) r = r " " $1; else p = p " " $1 }
    END { printf "%s\t%s\n", (p == "" ? "-" : substr(p, 2)), (r == "" ? "-" : substr(r, 2)) }' <(printf '%s\n' "$snap_pkgs") -)
  [ "$remove" = - ] || chom_journal pkg "$remove" remove
  [ "$purge" = - ] || chom_journal pkg "$purge" purge
  return 0
}
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
  if (pkgs.length > 0 && state !== 'absent') L.push(UNDO_RECORD);
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
    alone ? 'case "$note" in *"apt cache updated"|*"would update the apt cache") chom_changed "$note" ;; *) chom_ok "$note" ;; esac' : ':',
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
    // The undo record: everything the transaction installs or creates (see UNDO_RECORD).
    'undo_snapshot; rc=0',
    `out=$("\${APT[@]}" install ${rec}"\${todo[@]}" 2>&1) || rc=$?`,
    'printf "%s\\n" "$out"; undo_journal',
    '[ "$rc" -eq 0 ] || chom_fail "apt-get install failed (exit $rc): $(grep -E \'^(E|W):\' <<<"$out" | tail -n 5)"',
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
