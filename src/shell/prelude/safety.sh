# shellcheck shell=bash
# Failure safety on the host: the per-host run lock, the free-space check before any task,
# error classes of failed tasks, waiting for the package-manager lock, the task watchdog
# (timeouts kill the task's whole process group) and signal handling. Documented in ../prelude.ts.
# ---- chom-play runtime: locks, disk space, error classes, timeouts, signals ----
chom__lockfile() { printf '%s\n' "${CHOM_LOCK_FILE:-$(chom__parent "${CHOM_JOURNAL_DIR:-/var/lib/chom-play/runs}")/lock}"; }
chom__warn() { chom__ev_warn "$*"; }

# Reads the KEY=VALUE lines a lock holder wrote into chom__h_run/_user/_machine/_since/_pid.
chom__lock_holder() {
  chom__h_run="" chom__h_user="" chom__h_machine="" chom__h_since="" chom__h_pid=""
  local k v
  [ -r "$1" ] || return 0
  while IFS='=' read -r k v; do
    case $k in run | user | machine | since | pid) printf -v "chom__h_$k" '%s' "$v" ;; esac
  done <"$1"
}
chom__holder_text() { printf 'run %s by %s from %s since %s (pid %s)' "${chom__h_run:-?}" "${chom__h_user:-?}" "${chom__h_machine:-?}" "${chom__h_since:-?}" "${chom__h_pid:-?}"; }

# One run at a time per host: flock on a file this script keeps open. The kernel releases it
# when the holder dies however it dies, so a killed run never blocks the host; what the killed
# holder wrote into the file is what says it was taken over. Check mode only looks.
# Returns 1 after emitting "locked" when a live run holds the lock.
chom__lock() {
  local f; f=$(chom__lockfile)
  CHOM_LOCKED=0
  if chom_check; then
    [ -f "$f" ] || return 0
    exec {CHOM_LOCK_FD}<"$f" || return 0
    if ! flock -n -s "$CHOM_LOCK_FD"; then
      chom__lock_holder "$f"
      chom__warn "another run holds this host's lock: $(chom__holder_text); this prediction may be out of date once it finishes"
    fi
    exec {CHOM_LOCK_FD}<&-
    return 0
  fi
  local dir; chom__parentv dir "$f"
  if ! { { [ -d "$dir" ] || mkdir -p -m 0700 "$dir"; } && exec {CHOM_LOCK_FD}<>"$f"; } 2>/dev/null; then
    # A login user without become cannot lock (nor journal) the host: say so, do not refuse.
    if [ "$(id -u)" != 0 ]; then chom__warn "running without the host's run lock: $f is not writable by $(id -un) (become: yes takes it)"; return 0; fi
    chom__abort permission-denied "$CHOM_HOST: cannot open the run lock $f (read-only or full file system, or not root?): nothing was changed"
    return 1
  fi
  if ! flock -n -x "$CHOM_LOCK_FD"; then
    chom__lock_holder "$f"
    exec {CHOM_LOCK_FD}>&-
    chom__ev_locked "$chom__h_run" "$chom__h_user" "$chom__h_machine" "$chom__h_since" "$chom__h_pid"
    printf 'chom-play: %s is locked by %s: wait for it to finish; nothing was changed\n' "$CHOM_HOST" "$(chom__holder_text)" >&2
    return 1
  fi
  chom__lock_holder "$f"
  if [ -n "$chom__h_run" ]; then
    local why="its process is gone"
    [[ $chom__h_pid =~ ^[0-9]+$ ]] && kill -0 "$chom__h_pid" 2>/dev/null && why="its process $chom__h_pid no longer holds the lock"
    chom__warn "took over the lock left by $(chom__holder_text): $why (killed or cut off); run rollback or --resume if that run was unfinished"
  fi
  local since; TZ=UTC0 printf -v since '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  printf 'run=%s\nuser=%s\nmachine=%s\nsince=%s\npid=%s\n' "$CHOM_RUN_ID" "${CHOM_USER:-${SUDO_USER:-${USER:-$(id -un)}}}" \
    "${CHOM_MACHINE:-?}" "$since" "$$" >"$f"
  CHOM_LOCKED=1
  chom__sweep
}
# Leftovers of runs whose controller died (SIGKILL, crash): partial uploads nobody has written
# to for 10 minutes, and stop requests and heartbeats older than a minute for other runs. Holding the lock,
# no other applying run is live here; a fresh stop file may still belong to a check-mode run.
# Globbed in builtins first: find (the age test) starts only when there is a candidate.
chom__sweep() {
  local f
  for f in /var/cache/chom-play/stage/*.part-* /var/tmp/chom-play-stage-*/*.part-*; do
    [ -e "$f" ] || continue
    find /var/cache/chom-play/stage /var/tmp/chom-play-stage-* -maxdepth 1 -type f -name '*.part-*' -mmin +10 -delete 2>/dev/null || true
    break
  done
  for f in /run/chom-play/stop-* /run/chom-play/hb-*; do
    if [ ! -e "$f" ] || [ "$f" = "/run/chom-play/stop-$CHOM_RUN_ID" ] || [ "$f" = "/run/chom-play/hb-$CHOM_RUN_ID" ]; then continue; fi
    find /run/chom-play -maxdepth 1 -type f \( -name 'stop-*' -o -name 'hb-*' \) ! -name "*-$CHOM_RUN_ID" -mmin +1 -delete 2>/dev/null || true
    break
  done
}
# An empty lock file means "free"; the file itself stays (unlinking a flock file races).
chom__unlock() {
  [ "${CHOM_LOCKED:-0}" = 1 ] || return 0
  CHOM_LOCKED=0
  : >"$(chom__lockfile)" 2>/dev/null || true
  exec {CHOM_LOCK_FD}>&- 2>/dev/null || true
}

# Tells the controller the host cannot run at all (before any task), and why.
chom__abort() { chom__ev_abort "$1" "$2"; printf '%s\n' "$2" >&2; }

# Before any task: / and /var need CHOM_MIN_DISK_MB free (0 = no check). Returns 1 after "abort".
chom__disk_check() {
  local need=${CHOM_MIN_DISK_MB:-0} p line avail mnt seen=" " bad="" out i=0
  local -a ps=() lines=()
  [ "$need" -gt 0 ] || return 0
  for p in / /var; do [ -d "$p" ] && ps+=("$p"); done
  # One df for both; its lines follow the arguments (a header first). Any error: one df each.
  if out=$(df -Pk -- "${ps[@]}" 2>/dev/null); then mapfile -t lines <<<"$out"; lines=("${lines[@]:1}"); fi
  for p in "${ps[@]}"; do
    if [ "${#lines[@]}" -eq "${#ps[@]}" ]; then line=${lines[i]}; i=$((i + 1))
    else line=$(df -Pk -- "$p" 2>/dev/null | tail -n 1) || continue; fi
    read -r _ _ _ avail _ mnt <<<"$line"
    [[ $avail =~ ^[0-9]+$ ]] || continue
    case $seen in *" $mnt "*) continue ;; esac
    seen="$seen$mnt "
    if [ $((avail / 1024)) -lt "$need" ]; then
      bad="${bad:+$bad; }$p (filesystem $mnt) has $((avail / 1024)) MB free, the play needs $need MB"
    fi
  done
  [ -z "$bad" ] && return 0
  chom__abort disk-full "disk full: $bad (min_disk_free_mb); nothing was changed: free some space or lower min_disk_free_mb"
  return 1
}

# The class of a failed task from its exit code and text: timeout | disk-full | package-lock |
# permission-denied | download | not-found | other (src/failure-class.ts has the advice).
chom__classify() {
  local rc=$1 s=$2
  if [ -e "$CHOM_T/timedout" ]; then echo timeout
  elif [[ $s == *"No space left on device"* || $s == *"disk full"* || $s == *"Disk quota exceeded"* ]]; then echo disk-full
  elif [[ $s == *"/var/lib/dpkg/lock"* || $s == *"Could not get lock"* || $s == *"package-manager lock"* ]]; then echo package-lock
  elif [[ $s == *"Permission denied"* || $s == *"Operation not permitted"* || $s == *"Read-only file system"* ]] || [ "$rc" = 126 ]; then echo permission-denied
  elif [[ $s == *"Failed to fetch"* || $s == *"Temporary failure resolving"* || $s == *"Could not resolve"* || $s == *"Connection refused"* || $s == *"Connection timed out"* || $s == *"download failed"* ]]; then echo download
  elif [ "$rc" = 127 ] || [[ $s == *"command not found"* || $s == *"No such file or directory"* || $s == *"does not exist"* || $s == *"not found"* ]]; then echo not-found
  elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo timeout
  else echo other; fi
}

# Waits (at most MAX seconds, default 120) while a live process holds a dpkg/apt lock, flock or
# fcntl alike (both are listed in /proc/locks). Sets CHOM_PKG_LOCK_WAITED to a note when it waited;
# fails with "package-manager lock held" when the holder does not let go in time.
chom_wait_pkg_lock() {
  local max=${1:-120} f st dev ino keys=" " line holder="" waited=0
  for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
    [ -e "$f" ] || continue
    st=$(stat -c '%D %i' -- "$f") || continue
    read -r dev ino <<<"$st"; dev=$((16#$dev))
    keys+="$(printf '%02x:%02x:%s' $(( (dev >> 8) & 0xfff )) $(( (dev & 0xff) | ((dev >> 12) & 0xfff00) )) "$ino") "
  done
  CHOM_PKG_LOCK_WAITED=""
  while :; do
    line=$(awk -v keys="$keys" '$2 != "->" { for (i = 2; i <= NF; i++) if (index(keys, " " $i " ")) { print $(i - 1); exit } }' /proc/locks 2>/dev/null || true)
    [ -z "$line" ] && break
    if [[ $line =~ ^[0-9]+$ ]] && [ "$line" -gt 0 ]; then holder="$(cat "/proc/$line/comm" 2>/dev/null || echo '?') (pid $line)"; else holder="another process"; fi
    if [ "$waited" -ge "$max" ]; then
      chom_fail "the package-manager lock (dpkg/apt) is still held by $holder after $waited s: let it finish (apt, dpkg, unattended-upgrades) and run again"
    fi
    [ "$waited" = 0 ] && printf 'waiting for the package-manager lock held by %s (at most %ss)\n' "$holder" "$max" >&2
    sleep 1; waited=$((waited + 1))
  done
  [ "$waited" -gt 0 ] && CHOM_PKG_LOCK_WAITED="waited $waited s for the package-manager lock held by $holder"
  return 0
}

# Journals how to undo what a tool rewrites as a side effect (useradd's /etc/passwd- etc.):
# existing files are backed up (undo: restore), missing ones recorded as created (undo: delete).
chom_snapshot() {
  local p
  for p in "$@"; do
    if chom_exists "$p"; then chom_backup "$p"; else chom_journal create "$p" delete; fi
  done
}

# Runs in its own process group next to a task: after SECONDS it marks the task as timed out,
# sends TERM to the task's whole group, then KILL to whatever is left 5 s later.
chom__watchdog() {
  local pg=$1 secs=$2 flag=$3 i
  trap - TERM HUP INT
  sleep "$secs"
  : >"$flag"
  kill -TERM -- "-$pg" 2>/dev/null || return 0
  for i in $(seq 50); do kill -0 -- "-$pg" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pg" 2>/dev/null || true
}

# TERM/INT: stop now: the current task's group gets TERM (its half-written temp files are removed
# by its EXIT trap), then the lock is released by the EXIT trap. HUP or a vanished controller:
# the current task finishes and the script stops at that task boundary (see chom__emit).
chom__on_term() {
  trap - TERM INT
  CHOM_STOP=$1
  if [ -n "${CHOM_TASK_PID:-}" ]; then
    kill -TERM -- "-$CHOM_TASK_PID" 2>/dev/null || true
    local i; for i in $(seq 50); do kill -0 -- "-$CHOM_TASK_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$CHOM_TASK_PID" 2>/dev/null || true
    chom__task_exit
  fi
  chom__ev_interrupted "$1"
  if [ "$1" = TERM ]; then exit 143; fi
  exit 130
}
chom__on_hup() { CHOM_LOST=1; CHOM_WAIT_SIG=1; }
