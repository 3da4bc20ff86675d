import { bash } from './bash-text.js';

/**
 * The task runner used by the script's main section (script.ts generates the calls):
 * runs one task function in a subshell, turns its reports into a status, applies
 * changed_when/failed_when, sets the register variables, notifies handlers, emits the event.
 */
export const PRELUDE_RUN = bash(String.raw`
# ---- chom-play runtime: task runner (used by chom_main) ----
CHOM_N_OK=0 CHOM_N_CHANGED=0 CHOM_N_FAILED=0 CHOM_N_SKIPPED=0 CHOM_N_IGNORED=0 CHOM_EXIT=0
chom__now() { local t=@{EPOCHREALTIME:-}; [ -n "$t" ] || t=$(date +%s.%6N); CHOM_NOW=@{t//[.,]/}; }
chom__emit() { printf '%s %s\n' "$CHOM_MARKER" "$1"; }
chom__b64() { printf '%s' "$1" | base64 -w0; }
chom__lines() { local -a l=(); [ -f "$1" ] && mapfile -t l <"$1"; local s; s=$(printf '%s; ' "@{l[@]}"); printf '%s' "@{s%; }"; }

# Files a task created beside their destination (atomic writes) are removed if it dies half-way.
chom__task_exit() {
  local f
  [ -f "$CHOM_T/pending" ] || return 0
  while IFS= read -r f; do rm -f -- "$f"; done <"$CHOM_T/pending"
}

chom__register() { # NAME CHANGED FAILED SKIPPED RC STDOUT STDERR
  [ "$1" = - ] && return 0
  printf -v "chom_r_@{1}_changed" '%s' "$2"; printf -v "chom_r_@{1}_failed" '%s' "$3"
  printf -v "chom_r_@{1}_skipped" '%s' "$4"; printf -v "chom_r_@{1}_rc" '%s' "$5"
  printf -v "chom_r_@{1}_stdout" '%s' "$6"; printf -v "chom_r_@{1}_stderr" '%s' "$7"
}

# A condition function (or "-" for none), evaluated with unset variables read as empty.
chom__cond() { local r=0; set +u; "$1" || r=1; set -u; return "$r"; }

chom__notified() { local v="chom_notified_$1"; [ "@{!v:-0}" = 1 ]; }

# chom__run ID FUNC WHEN CHANGED_WHEN FAILED_WHEN REGISTER NO_LOG IGNORE_ERRORS [HANDLER_ID...]
# Returns 1 when the host must stop (a failed task without ignore_errors).
chom__run() {
  local id=$1 fn=$2 whenf=$3 chf=$4 faf=$5 reg=$6 nolog=$7 ignore=$8
  shift 8
  local t0 rc rcrep changed=0 failed=0 status msg="" out="" diff="" sout serr h
  CHOM_TASK_ID=$id
  if [ "$whenf" != - ] && ! chom__cond "$whenf"; then
    chom__register "$reg" false false true 0 "" ""
    CHOM_N_SKIPPED=$((CHOM_N_SKIPPED + 1))
    chom__emit "{\"t\":\"task\",\"id\":$id,\"status\":\"skipped\",\"rc\":0,\"ms\":0,\"msg_b64\":\"\",\"diff_b64\":\"\",\"out_b64\":\"\"}"
    return 0
  fi
  rm -rf -- "$CHOM_T"; mkdir -- "$CHOM_T"
  chom__now; t0=$CHOM_NOW
  set +e
  (trap chom__task_exit EXIT; set -euo pipefail; "$fn") </dev/null >"$CHOM_T/stdout" 2>"$CHOM_T/stderr"
  rc=$?
  set -e
  chom__now
  rcrep=$rc
  if [ -s "$CHOM_T/rc" ]; then rcrep=$(cat "$CHOM_T/rc"); fi
  [[ $rcrep =~ ^-?[0-9]+$ ]] || rcrep=$rc
  if [ "$rc" -ne 0 ]; then failed=1; elif [ -s "$CHOM_T/changed" ]; then changed=1; fi
  sout=$(cat "$CHOM_T/stdout"); serr=$(cat "$CHOM_T/stderr")
  chom__register "$reg" "$([ $changed = 1 ] && echo true || echo false)" "$([ $failed = 1 ] && echo true || echo false)" false "$rcrep" "$sout" "$serr"
  if [ "$chf" != - ]; then if chom__cond "$chf"; then changed=1; else changed=0; fi; fi
  if [ "$faf" != - ]; then
    if chom__cond "$faf"; then
      [ "$failed" = 1 ] || printf 'failed_when condition is true\n' >>"$CHOM_T/fail"
      failed=1
    else failed=0; fi
  fi
  chom__register "$reg" "$([ $changed = 1 ] && echo true || echo false)" "$([ $failed = 1 ] && echo true || echo false)" false "$rcrep" "$sout" "$serr"
  if [ "$failed" = 1 ]; then
    status=failed; msg=$(chom__lines "$CHOM_T/fail")
    [ -n "$msg" ] || msg="exit code $rc$( [ -s "$CHOM_T/stderr" ] && printf ': %s' "$(tail -n 1 "$CHOM_T/stderr")")"
  elif [ "$changed" = 1 ]; then
    status=changed; msg=$(chom__lines "$CHOM_T/changed")
  else
    status=ok; msg=$(chom__lines "$CHOM_T/ok")
  fi
  if [ "$nolog" != 1 ]; then
    msg=$(chom__b64 "$msg")
    [ -s "$CHOM_T/diff" ] && diff=$(base64 -w0 <"$CHOM_T/diff")
    out=$({ tail -n 20 "$CHOM_T/stdout"; [ -s "$CHOM_T/stdout" ] && [ -n "$(tail -c 1 "$CHOM_T/stdout")" ] && echo; tail -n 20 "$CHOM_T/stderr"; } | tail -c 4096 | base64 -w0)
  else
    msg=""
  fi
  case $status in
    failed) if [ "$ignore" = 1 ]; then CHOM_N_IGNORED=$((CHOM_N_IGNORED + 1)); else CHOM_N_FAILED=$((CHOM_N_FAILED + 1)); fi ;;
    changed) CHOM_N_CHANGED=$((CHOM_N_CHANGED + 1)); CHOM_N_OK=$((CHOM_N_OK + 1))
      for h in "$@"; do printf -v "chom_notified_$h" 1; done ;;
    ok) CHOM_N_OK=$((CHOM_N_OK + 1)) ;;
  esac
  chom__emit "{\"t\":\"task\",\"id\":$id,\"status\":\"$status\",\"rc\":$rcrep,\"ms\":$(( (CHOM_NOW - t0) / 1000 )),\"msg_b64\":\"$msg\",\"diff_b64\":\"$diff\",\"out_b64\":\"$out\"}"
  if [ "$status" = failed ] && [ "$ignore" != 1 ]; then return 1; fi
  return 0
}

# chom_request_confirm FILE: asks the controller to prove it can still log in, by opening a NEW
# connection and creating FILE (under /run/chom-play/confirm/). The task then waits for FILE.
chom_request_confirm() {
  [[ $1 =~ ^/run/chom-play/confirm/[A-Za-z0-9._-]+$ ]] || chom_fail "bad confirm path: $1"
  printf '%s {"t":"confirm","id":%s,"file":"%s"}\n' "$CHOM_MARKER" "$CHOM_TASK_ID" "$1" >&"$CHOM_EVENT_FD"
}

chom__finish() {
  chom__now
  [ "$CHOM_N_FAILED" -eq 0 ] || CHOM_EXIT=2
  chom__emit "{\"t\":\"end\",\"ok\":$CHOM_N_OK,\"changed\":$CHOM_N_CHANGED,\"failed\":$CHOM_N_FAILED,\"skipped\":$CHOM_N_SKIPPED,\"ignored\":$CHOM_N_IGNORED,\"ms\":$(( (CHOM_NOW - CHOM_T0) / 1000 ))}"
}
`);
