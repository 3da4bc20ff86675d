# shellcheck shell=bash
# The task runner used by the script's main section (script.ts generates the calls):
# runs one task function in a subshell, turns its reports into a status, applies
# changed_when/failed_when, sets the register variables, notifies handlers, emits the event.
# ---- chom-play runtime: task runner (used by chom_main) ----
CHOM_N_OK=0 CHOM_N_CHANGED=0 CHOM_N_FAILED=0 CHOM_N_SKIPPED=0 CHOM_N_IGNORED=0 CHOM_EXIT=0
chom__now() { local t=${EPOCHREALTIME:-}; [ -n "$t" ] || t=$(date +%s.%6N); CHOM_NOW=${t//[.,]/}; }
# A controller that went away (closed pipe: SIGPIPE is ignored, see chom__init) is noted, not
# fatal: the current task finishes and the script stops at the next task boundary.
chom__emit() { printf '%s %s\n' "$CHOM_MARKER" "$1" 2>/dev/null || CHOM_LOST=1; }
chom__b64() { printf '%s' "$1" | base64 -w0; }
chom__lines() { local -a l=(); [ -f "$1" ] && mapfile -t l <"$1"; local s; s=$(printf '%s; ' "${l[@]}"); printf '%s' "${s%; }"; }
# chom__linesv VAR FILE: the file's lines joined by "; " into VAR, without a subshell.
chom__linesv() {
  local -a l=(); local s=""
  [ -s "$2" ] && mapfile -t l <"$2"
  [ "${#l[@]}" -gt 0 ] && printf -v s '%s; ' "${l[@]}"
  printf -v "$1" '%s' "${s%; }"
}
# chom__slurpv VAR FILE: the whole file into VAR, trailing newlines removed (as $(cat) does), no fork.
chom__slurpv() {
  local __s=""
  [ -s "$2" ] && { IFS= read -r -d '' __s <"$2" || true; }
  while [[ $__s == *$'\n' ]]; do __s=${__s%$'\n'}; done
  printf -v "$1" '%s' "$__s"
}
CHOM_BOOL=(false true)
# Event fields for the emitters generated from src/shell/event-table.ts (chom__ev_TYPE), built
# in bash builtins: a process per event would be a process per task.
# chom__jstr NAME TEXT: appends ,"NAME":"TEXT" (a JSON string) to CHOM_E.
chom__jstr() {
  local s=$2
  if [[ $s == *[[:cntrl:]]* ]]; then CHOM_E+=",\"$1\":$(chom_json_str "$s")"; return 0; fi
  s=${s//\\/\\\\}; s=${s//\"/\\\"}
  CHOM_E+=",\"$1\":\"$s\""
}
# chom__jtext NAME TEXT: appends ,"NAME":"..." when TEXT is plain text, else ,"NAME_b64":"...".
chom__jtext() {
  local s=$2
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}
  if [[ $s == *[[:cntrl:]]* ]]; then CHOM_E+=",\"$1_b64\":\"$(chom__b64 "$2")\""; else CHOM_E+=",\"$1\":\"$s\""; fi
}

# Files a task created beside their destination (atomic writes) are removed if it dies half-way.
chom__task_exit() {
  local f
  [ -f "$CHOM_T/pending" ] || return 0
  while IFS= read -r f; do rm -f -- "$f"; done <"$CHOM_T/pending"
}

chom__register() { # NAME CHANGED FAILED SKIPPED RC STDOUT STDERR
  [ "$1" = - ] && return 0
  printf -v "chom_r_${1}_changed" '%s' "$2"; printf -v "chom_r_${1}_failed" '%s' "$3"
  printf -v "chom_r_${1}_skipped" '%s' "$4"; printf -v "chom_r_${1}_rc" '%s' "$5"
  printf -v "chom_r_${1}_stdout" '%s' "$6"; printf -v "chom_r_${1}_stderr" '%s' "$7"
}

# Module return values (what `register` holds beyond rc/stdout, e.g. stat's stat.exists): the
# task writes typed pairs with chom_ret (core.sh) to $CHOM_T/ret, NUL-separated. Each becomes
# chom_r_REG__KEY (KEY: path joined by __). A value that does not match its type is dropped
# here, so an int only ever reaches [[ -eq ]] as digits. The keys of the last registration are
# kept in chom_rk_REG and unset first, so a key the module did not return reads as undefined.
# Sets CHOM_RET to the pairs as base64 (the task event's ret field) when any.
chom__retv() { # REG [FILE: default $CHOM_T/ret, "" for none (a skipped task)]
  local k v ks="" kv="chom_rk_$1" f=${2-$CHOM_T/ret}
  CHOM_RET=""
  [ "$1" = - ] && return 0
  for k in ${!kv:-}; do unset "chom_r_${1}__$k"; done
  if [ -n "$f" ] && [ -s "$f" ]; then
    while IFS= read -r -d '' k && IFS= read -r -d '' v; do
      [[ $k =~ ^([ibsfj]):([A-Za-z0-9_]+)$ ]] || continue
      k=${BASH_REMATCH[2]}
      case ${BASH_REMATCH[1]} in
        i) [[ $v =~ ^-?[0-9]{1,18}$ ]] || continue ;;
        b) [[ $v == true || $v == false ]] || continue ;;
        f) [[ $v =~ ^-?[0-9]{1,18}(\.[0-9]{1,9})?$ ]] || continue ;;
      esac
      printf -v "chom_r_${1}__$k" '%s' "$v"; ks+="$k "
    done <"$f"
    CHOM_RET=$(base64 -w0 <"$f")
  fi
  printf -v "$kv" '%s' "$ks"
}

# A condition function (or "-" for none), evaluated with unset variables read as empty.
chom__cond() { local r=0; set +u; "$1" || r=1; set -u; return "$r"; }

chom__notified() { local v="chom_notified_$1"; [ "${!v:-0}" = 1 ]; }

# One attempt of a task: its function in a subshell of its own process group (so a timeout can
# kill everything it started), stdin /dev/null, output captured. Sets rc.
chom__attempt() {
  local fn=$1 to=$2 wd=""
  # Fresh report files for this attempt, with builtins only (no rm/mkdir process per task).
  [ -d "$CHOM_T" ] || mkdir -- "$CHOM_T"
  : >"$CHOM_T/changed"; : >"$CHOM_T/ok"; : >"$CHOM_T/fail"; : >"$CHOM_T/diff"; : >"$CHOM_T/rc"; : >"$CHOM_T/skip"
  if [ -e "$CHOM_T/timedout" ] || [ -e "$CHOM_T/pending" ] || [ -e "$CHOM_T/ret" ]; then rm -f -- "$CHOM_T/timedout" "$CHOM_T/pending" "$CHOM_T/ret"; fi
  set -m
  (
    set +m
    if [ -n "${CHOM_LOCK_FD:-}" ]; then exec {CHOM_LOCK_FD}>&-; fi
    trap chom__task_exit EXIT; trap 'exit 143' TERM; trap 'exit 129' HUP; trap 'exit 130' INT
    set -euo pipefail; "$fn"
  ) </dev/null >"$CHOM_T/stdout" 2>"$CHOM_T/stderr" &
  CHOM_TASK_PID=$!
  if [ "$to" -gt 0 ]; then (chom__watchdog "$CHOM_TASK_PID" "$to" "$CHOM_T/timedout") </dev/null >/dev/null 2>&1 & wd=$!; fi
  set +m
  # A trapped signal (HUP) interrupts wait while the task still runs: wait again.
  while :; do
    # wait on a known child returns its real status once it has exited: a flag set by the HUP
    # trap (not kill -0, which races with the child's exit) says the wait was only interrupted.
    rc=0; CHOM_WAIT_SIG=0; wait "$CHOM_TASK_PID" || rc=$?
    if [ "$rc" -gt 128 ] && [ "$CHOM_WAIT_SIG" = 1 ]; then continue; fi
    break
  done
  if [ -n "$wd" ]; then
    if [ -e "$CHOM_T/timedout" ]; then wait "$wd" 2>/dev/null || true
    else kill -- "-$wd" 2>/dev/null || true; wait "$wd" 2>/dev/null || true; fi
  fi
  CHOM_TASK_PID=""
}

# chom__run id=N [SETTING=VALUE...]: runs task function chom_task_N. Settings (named, so a
# rendered script reads on its own; defaults in brackets):
#   when=FUNC changed_when=FUNC failed_when=FUNC until=FUNC   condition functions [none]
#   register=NAME [none]   no_log=1 [0]   ignore_errors=1 [0]   notify=ID,ID... handlers [none]
#   rescue=1 [0]: a failure is handled by the rescue tasks of a block around (counted rescued)
#   timeout=SECONDS [$CHOM_TASK_TIMEOUT, 0 = none]   attempts=N [1]   delay=SECONDS [5]
# ATTEMPTS >= 1 with DELAY seconds between them, until the UNTIL condition function holds (or,
# without one, until the task does not fail). Check mode makes one attempt and never waits.
# Returns 1 when the host must stop (a failed task without ignore_errors, or a stop asked).
# The controller asks for a stop at the next task boundary (first Ctrl-C) by creating this file
# through a second session on the same connection.
chom__stop_requested() { [ -e "/run/chom-play/stop-$CHOM_RUN_ID" ]; }

# Heartbeat: the controller touches /run/chom-play/hb-RUN_ID every few seconds over its
# connection. A partitioned network does not close the event pipe, so a host that heard nothing
# for CHOM_HEARTBEAT_TIMEOUT seconds (default 30) stops at its next task boundary. Decided with
# builtins: `-nt` against $CHOM_TMP/hb-ref (remade whenever the heartbeat was newer) keeps
# CHOM_HB_SEEN a lower bound of the last touch, so a running controller is never taken for a
# silent one; only when that bound is older than the timeout does one `stat` read the exact age.
# A heartbeat file not touched since this script started (a hand-run script, an older
# controller, a stale file) turns nothing on. Returns 0 when the controller is silent.
chom__controller_silent() {
  local f="/run/chom-play/hb-$CHOM_RUN_ID" ref="$CHOM_TMP/hb-ref" now=$EPOCHSECONDS m
  [ -e "$f" ] || return 1
  if [ "$f" -nt "$ref" ]; then CHOM_HB_ON=1; CHOM_HB_SEEN=$CHOM_HB_REF; : >"$ref"; CHOM_HB_REF=$now; fi
  [ "${CHOM_HB_ON:-0}" = 1 ] || return 1
  (( now - CHOM_HB_SEEN < ${CHOM_HEARTBEAT_TIMEOUT:-30} )) && return 1
  m=$(stat -c %Y -- "$f" 2>/dev/null) || return 1
  CHOM_HB_SEEN=$m
  (( now - m >= ${CHOM_HEARTBEAT_TIMEOUT:-30} ))
}

# A task boundary: returns 1 (stop here) when the controller went away (closed pipe), asked for
# a stop (first Ctrl-C) or fell silent. The journal and a "stopped" event say where and why.
chom__boundary() {
  [ "${CHOM_LOST:-0}" = 1 ] && return 1
  if chom__stop_requested; then
    CHOM_LOST=1
    chom__ev_stopped stop-requested "stop asked by the controller before task $CHOM_TASK_ID"
    return 1
  fi
  if chom__controller_silent; then
    CHOM_LOST=1
    local why="controller silent for $((EPOCHSECONDS - CHOM_HB_SEEN)) s (no heartbeat on /run/chom-play/hb-$CHOM_RUN_ID, timeout ${CHOM_HEARTBEAT_TIMEOUT:-30} s): stopped before task $CHOM_TASK_ID"
    chom_journal stop "$why" none
    chom__ev_stopped controller-silent "$why"
    return 1
  fi
  return 0
}

chom__run() {
  local id="" whenf=- chf=- faf=- reg=- nolog=0 ignore=0 to=${CHOM_TASK_TIMEOUT:-0} attempts=1 delay=5 untilf=- notify="" rescue=0 a
  for a in "$@"; do
    case $a in
      id=*) id=${a#*=} ;;
      when=*) whenf=${a#*=} ;;
      changed_when=*) chf=${a#*=} ;;
      failed_when=*) faf=${a#*=} ;;
      until=*) untilf=${a#*=} ;;
      register=*) reg=${a#*=} ;;
      no_log=*) nolog=${a#*=} ;;
      ignore_errors=*) ignore=${a#*=} ;;
      timeout=*) to=${a#*=} ;;
      attempts=*) attempts=${a#*=} ;;
      delay=*) delay=${a#*=} ;;
      notify=*) notify=${a#*=} ;;
      rescue=*) rescue=${a#*=} ;;
      *) printf 'chom__run: unknown setting "%s"\n' "$a" >&2; return 1 ;;
    esac
  done
  local fn=chom_task_$id t0 rc rcrep changed=0 failed=0 status msg="" out="" diff="" sout serr h n=0 prev="" anych=0 cls="" nat=""
  CHOM_TASK_ID=$id
  chom__boundary || return 1
  if [ "$whenf" != - ] && ! chom__cond "$whenf"; then
    chom__register "$reg" false false true 0 "" ""
    chom__retv "$reg" ""
    CHOM_N_SKIPPED=$((CHOM_N_SKIPPED + 1))
    chom__ev_task "$id" skipped 0 0 "" "" ""
    return 0
  fi
  chom_check && attempts=1
  chom__ev_begin "$id"
  chom__now; t0=$CHOM_NOW
  while :; do
    n=$((n + 1)); changed=0; failed=0
    set +e
    chom__attempt "$fn" "$to"
    set -e
    rcrep=$rc
    if [ -s "$CHOM_T/rc" ]; then rcrep=$(cat "$CHOM_T/rc"); fi
    [[ $rcrep =~ ^-?[0-9]+$ ]] || rcrep=$rc
    if [ -e "$CHOM_T/timedout" ]; then printf 'timed out after %s s (the task and every process it started were killed)\n' "$to" >>"$CHOM_T/fail"; fi
    if [ "$rc" -ne 0 ]; then failed=1; elif [ -s "$CHOM_T/changed" ]; then changed=1; fi
    # What the task did may have changed any prefetched path: read afresh from now on.
    if [ "$rc" -ne 0 ] || [ -s "$CHOM_T/changed" ]; then CHOM_STC=(); CHOM_SHAC=(); fi
    sout=""; serr=""
    if [ "$reg" != - ]; then chom__slurpv sout "$CHOM_T/stdout"; chom__slurpv serr "$CHOM_T/stderr"; fi
    chom__register "$reg" "${CHOM_BOOL[$changed]}" "${CHOM_BOOL[$failed]}" false "$rcrep" "$sout" "$serr"
    chom__retv "$reg"
    if [ "$chf" != - ]; then if chom__cond "$chf"; then changed=1; else changed=0; fi; fi
    if [ "$faf" != - ]; then
      if chom__cond "$faf"; then
        [ "$failed" = 1 ] || printf 'failed_when condition is true\n' >>"$CHOM_T/fail"
        failed=1
      else failed=0; fi
    fi
    chom__register "$reg" "${CHOM_BOOL[$changed]}" "${CHOM_BOOL[$failed]}" false "$rcrep" "$sout" "$serr"
    [ "$attempts" -le 1 ] && break
    if [ "$untilf" != - ]; then chom__cond "$untilf" && break; elif [ "$failed" = 0 ]; then break; fi
    if [ "$n" -ge "$attempts" ]; then
      failed=1
      printf 'still failing after %s attempts%s\n' "$n" "$([ "$untilf" != - ] && printf ' (the until condition stayed false)')" >>"$CHOM_T/fail"
      break
    fi
    # Changes of earlier attempts still count (the run did change the host).
    if [ "$changed" = 1 ]; then anych=1; [ -s "$CHOM_T/changed" ] && prev+="$(cat "$CHOM_T/changed")"$'\n'; fi
    chom__ev_retry "$id" "$n" "$((attempts - n))" "$delay"
    [ "${CHOM_LOST:-0}" = 1 ] && break
    sleep "$delay"
  done
  chom__now
  if [ "$anych" = 1 ] && [ "$failed" = 0 ]; then
    changed=1; { printf '%s' "$prev"; cat "$CHOM_T/changed" 2>/dev/null || true; } | awk '!seen[$0]++' >"$CHOM_T/changed.all"; mv -f "$CHOM_T/changed.all" "$CHOM_T/changed"
  fi
  if [ "$failed" = 1 ]; then
    status=failed; chom__linesv msg "$CHOM_T/fail"
    [ -n "$msg" ] || msg="exit code $rc$( [ -s "$CHOM_T/stderr" ] && printf ': %s' "$(tail -n 1 "$CHOM_T/stderr")")"
    cls=$(chom__classify "$rc" "$msg"$'\n'"$(tail -n 5 "$CHOM_T/stderr")")
  elif [ "$changed" = 1 ]; then
    status=changed; chom__linesv msg "$CHOM_T/changed"
  elif [ -s "$CHOM_T/skip" ]; then
    status=skipped; chom__linesv msg "$CHOM_T/skip"
  else
    status=ok; chom__linesv msg "$CHOM_T/ok"
  fi
  [ "$n" -gt 1 ] && nat=$n
  if [ "$nolog" != 1 ]; then
    [ -s "$CHOM_T/diff" ] && diff=$(base64 -w0 <"$CHOM_T/diff")
    # Quiet tasks (most file tasks) pay nothing for the output tail.
    if [ -s "$CHOM_T/stdout" ] || [ -s "$CHOM_T/stderr" ]; then
      out=$({ tail -n 20 "$CHOM_T/stdout"; [ -s "$CHOM_T/stdout" ] && [ -n "$(tail -c 1 "$CHOM_T/stdout")" ] && echo; tail -n 20 "$CHOM_T/stderr"; } | tail -c 4096 | base64 -w0)
    fi
  else
    msg=""; CHOM_RET=""
  fi
  case $status in
    failed) if [ "$ignore" = 1 ]; then CHOM_N_IGNORED=$((CHOM_N_IGNORED + 1))
      elif [ "$rescue" = 1 ]; then : # the controller counts it rescued; the host is not failed
      else CHOM_N_FAILED=$((CHOM_N_FAILED + 1)); fi ;;
    changed) CHOM_N_CHANGED=$((CHOM_N_CHANGED + 1)); CHOM_N_OK=$((CHOM_N_OK + 1))
      for h in ${notify//,/ }; do printf -v "chom_notified_$h" 1; done ;;
    ok) CHOM_N_OK=$((CHOM_N_OK + 1)) ;;
    skipped) CHOM_N_SKIPPED=$((CHOM_N_SKIPPED + 1)) ;;
  esac
  chom__ev_task "$id" "$status" "$rcrep" "$(( (CHOM_NOW - t0) / 1000 ))" "$msg" "$diff" "$out" "$cls" "$nat" "${CHOM_RET:-}"
  if [ "$status" = failed ] && [ "$ignore" != 1 ]; then return 1; fi
  [ "${CHOM_LOST:-0}" = 1 ] && return 1
  return 0
}

# chom_request_confirm FILE: asks the controller to prove it can still log in, by opening a NEW
# connection and creating FILE (under /run/chom-play/confirm/). The task then waits for FILE.
chom_request_confirm() {
  [[ $1 =~ ^/run/chom-play/confirm/[A-Za-z0-9._-]+$ ]] || chom_fail "bad confirm path: $1"
  chom__ev_confirm "$CHOM_TASK_ID" "$1"
}

# A task failed (or the controller went away): with rollback_on_failure the run's changes are
# undone first (not when the controller is gone: nobody would see the report). That includes
# the packages this run installed (purged): moments after they were installed nothing else can
# depend on them yet, unlike a later `chom-play rollback`, where --rollback-packages opts in.
chom__stop() {
  if [ "${CHOM_ROLLBACK_ON_FAILURE:-0}" = 1 ] && ! chom_check && [ "${CHOM_LOST:-0}" != 1 ] && [ -f "$CHOM_JOURNAL" ]; then
    CHOM_ROLLBACK_PACKAGES=1 chom__replay "$CHOM_JOURNAL" || true
    chom__mark_rolled_back "$CHOM_JOURNAL" "rollback_on_failure"
  fi
  chom__finish
}

chom__finish() {
  chom__now
  [ "$CHOM_N_FAILED" -eq 0 ] || CHOM_EXIT=2
  chom__ev_end "$CHOM_N_OK" "$CHOM_N_CHANGED" "$CHOM_N_FAILED" "$CHOM_N_SKIPPED" "$CHOM_N_IGNORED" "$(( (CHOM_NOW - CHOM_T0) / 1000 ))"
}
