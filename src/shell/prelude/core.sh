# shellcheck shell=bash
# Runtime core: temp/scratch dirs, task reporting (chom_changed/ok/fail/rc), check-mode flag,
# base64, sha256, JSON strings for events, journal lines, predicted state.
# Documented in ../prelude.ts.
# ---- chom-play runtime: core ----
chom_check() { [ "${CHOM_CHECK:-0}" = 1 ]; }
chom_changed() { printf '%s\n' "$*" >>"$CHOM_T/changed"; }
chom_ok() { printf '%s\n' "$*" >>"$CHOM_T/ok"; }
# The task did nothing and reports skipped (a module without check-mode support, in check mode).
chom_skip() { printf '%s\n' "$*" >>"$CHOM_T/skip"; }
# chom_ret TYPE:KEY VALUE: one return value of the module (TYPE i int, b bool, s str, f float, j JSON;
# KEY the path joined by __, e.g. b:stat__exists): register gets it, the controller sees it.
chom_ret() { printf '%s\0%s\0' "$1" "$2" >>"$CHOM_T/ret"; }
chom_fail() { printf '%s\n' "$*" >&2; printf '%s\n' "$*" >>"$CHOM_T/fail"; exit 1; }
chom_has_changed() { [ -s "$CHOM_T/changed" ]; }
chom_rc() { printf '%s' "$1" >"$CHOM_T/rc"; }
chom_b64d() { printf '%s' "$1" | base64 -d; }
chom_sha() { local s; s=$(sha256sum <"$1"); printf '%s\n' "${s%% *}"; }
# Same bytes? cmp stops at the first difference (one process, no hashing of both files).
chom_same() { [ -f "$1" ] && [ -f "$2" ] && cmp -s -- "$1" "$2"; }
# Temp files under $CHOM_TMP (private to this run, removed at exit), created in builtins with
# noclobber (O_EXCL, like mktemp) so the no-change pass starts no mktemp process.
# chom_tmpfilev VAR: the same into VAR, without the subshell of $(chom_tmpfile).
chom_tmpfilev() {
  local __f __n __c=0
  [[ $- == *C* ]] || __c=1
  for __n in 1 2 3 4 5 6 7 8; do
    __f="$CHOM_TMP/t.$BASHPID.$RANDOM$RANDOM"
    set -C
    if { : >"$__f"; } 2>/dev/null; then
      [ "$__c" = 1 ] && set +C
      printf -v "$1" '%s' "$__f"
      return 0
    fi
    [ "$__c" = 1 ] && set +C
  done
  # Eight collisions in a row: not a race worth guessing about; let mktemp decide.
  printf -v "$1" '%s' "$(mktemp "$CHOM_TMP/t.XXXXXX")"
}
chom_tmpfile() { local f; chom_tmpfilev f; printf '%s\n' "$f"; }
chom_tmpdir() { mktemp -d "$CHOM_TMP/d.XXXXXX"; }
chom_exists() { [ -e "$1" ] || [ -L "$1" ]; }

# getent passwd|group KEY, answered from /etc/passwd or /etc/group in builtins when
# nsswitch.conf consults "files" first for that database (chom__init sets CHOM_NSS_FILES), so
# user and group checks start no process. A key not found there, other databases, and hosts
# with another lookup order go to the real getent: the answer is always getent's.
# chom_getentv VAR DB KEY: the same line into VAR (empty when not found; getent's status), without
# the subshell of $(getent ...) when the files answer.
chom_getentv() {
  local __line __rest __byid=0
  if [[ " ${CHOM_NSS_FILES:-} " == *" $2 "* ]] && [ -r "/etc/$2" ]; then
    [[ $3 =~ ^[0-9]+$ ]] && __byid=1
    while IFS= read -r __line || [ -n "$__line" ]; do
      if [ "$__byid" = 1 ]; then
        __rest=${__line#*:}; __rest=${__rest#*:}
        [ "${__rest%%:*}" = "$3" ] || continue
      else
        [ "${__line%%:*}" = "$3" ] || continue
      fi
      printf -v "$1" '%s' "$__line"
      return 0
    done <"/etc/$2"
  fi
  local __out __rc=0
  __out=$(command getent "$2" "$3") || __rc=$?
  printf -v "$1" '%s' "$__out"
  return "$__rc"
}
getent() {
  if [ "$#" -eq 2 ]; then
    local line
    chom_getentv line "$1" "$2" || return
    printf '%s\n' "$line"
    return 0
  fi
  command getent "$@"
}

# The databases whose first nsswitch source is "files" (see getent above).
chom__nss_init() {
  local db src rest
  CHOM_NSS_FILES=""
  [ -r /etc/nsswitch.conf ] || return 0
  while read -r db src rest; do
    case $db in passwd: | group:) [ "$src" = files ] && CHOM_NSS_FILES+=" ${db%:}" ;; esac
  done </etc/nsswitch.conf
}
# A path without trailing or doubled slashes, so one file has one name in scratch and journal.
chom__norm() {
  local p=$1
  while [[ $p == *//* ]]; do p=${p//\/\//\/}; done
  while [[ $p == */ && $p != / ]]; do p=${p%/}; done
  printf '%s\n' "$p"
}
chom__parent() { local p=${1%/*}; printf '%s\n' "${p:-/}"; }
# The same two without a subshell, for hot paths: chom__normv VAR PATH, chom__parentv VAR PATH.
# Locals are __-prefixed so that VAR may be any name the caller uses (p, dest ...).
chom__normv() {
  local __p=$2
  while [[ $__p == *//* ]]; do __p=${__p//\/\//\/}; done
  while [[ $__p == */ && $__p != / ]]; do __p=${__p%/}; done
  printf -v "$1" '%s' "$__p"
}
chom__parentv() { local __p=${2%/*}; printf -v "$1" '%s' "${__p:-/}"; }
# chom_pathv VAR P: chom_path into a variable; outside check mode it is P itself (no subshell).
chom_pathv() { if [ "${CHOM_CHECK:-0}" = 1 ]; then printf -v "$1" '%s' "$(chom_path "$2")"; else printf -v "$1" '%s' "$2"; fi; }
chom__key() { local h; h=$(printf '%s' "$1" | sha256sum); printf '%s\n' "${h%% *}"; }

# JSON string literal for short text (paths, names). Arbitrary content travels base64-encoded.
chom_json_str() {
  local s=$1 i c
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/\\r}
  if [[ $s == *[$'\001'-$'\037']* ]]; then
    for i in $(seq 1 31); do
      # shellcheck disable=SC2059 # an octal escape built on purpose: the format is the character
      printf -v c "\\$(printf '%03o' "$i")"
      s=${s//"$c"/$(printf '\\u%04x' "$i")}
    done
  fi
  printf '"%s"' "$s"
}

# Predicted state for check mode ("user:www" -> present). Returns 1 when nothing is predicted.
chom_state_get() { local f; f="$CHOM_TMP/state/$(chom__key "$1")"; [ -f "$f" ] || return 1; cat "$f"; }
chom_state_set() { printf '%s' "$2" >"$CHOM_TMP/state/$(chom__key "$1")"; }

# One JSON line per change on the host, with the step that undoes it (never in check mode).
chom_journal() {
  chom_check && return 0
  local op=$1 path=$2 undo=$3 backup=${4:-} extra=""
  [ -n "$backup" ] && extra=",\"backup\":$(chom_json_str "$backup")"
  mkdir -p -m 0700 "$(chom__parent "$CHOM_JOURNAL")"
  printf '{"run":%s,"task":%s,"time":%s,"op":%s,"path":%s,"undo":%s%s}\n' \
    "$(chom_json_str "$CHOM_RUN_ID")" "${CHOM_TASK_ID:-0}" "${EPOCHREALTIME%.*}" "$(chom_json_str "$op")" \
    "$(chom_json_str "$path")" "$(chom_json_str "$undo")" "$extra" >>"$CHOM_JOURNAL"
}

# Unified diff of OLD (missing = empty) against NEW into the task's diff, only with --diff.
chom_diff() {
  [ "${CHOM_DIFF:-0}" = 1 ] || return 0
  local old=$1 new=$2 label=$3
  chom_exists "$old" && [ -f "$old" ] || old=/dev/null
  if command -v diff >/dev/null 2>&1; then
    diff -u --label "$label (before)" --label "$label (after)" -- "$old" "$new" | head -c 65536 >>"$CHOM_T/diff" || true
  else
    printf -- '--- %s (before)\n+++ %s (after)\n@@ content changed; diff is not installed on this host @@\n' "$label" "$label" >>"$CHOM_T/diff"
  fi
}
# Diff text a module computed itself (e.g. attribute changes), with --diff.
chom_diff_note() { [ "${CHOM_DIFF:-0}" = 1 ] || return 0; printf '%s\n' "$*" >>"$CHOM_T/diff"; }

chom__init() {
  CHOM_BACKUP_DIR="${CHOM_BACKUP_ROOT:-/var/backups/chom-play}/$CHOM_RUN_ID"
  CHOM_JOURNAL="${CHOM_JOURNAL_DIR:-/var/lib/chom-play/runs}/$CHOM_RUN_ID.jsonl"
  CHOM_TMP=$(mktemp -d "${TMPDIR:-/tmp}/chom-play.XXXXXX")
  trap 'chom__unlock; rm -rf -- "$CHOM_TMP"; rm -f -- "/run/chom-play/stop-$CHOM_RUN_ID" "/run/chom-play/hb-$CHOM_RUN_ID" 2>/dev/null || true' EXIT
  trap 'chom__on_term TERM' TERM; trap 'chom__on_term INT' INT; trap chom__on_hup HUP
  # Trapped, not ignored: tasks' own pipes keep the default SIGPIPE behaviour.
  trap 'CHOM_LOST=1' PIPE
  CHOM_T="$CHOM_TMP/task"
  mkdir "$CHOM_TMP/fs" "$CHOM_TMP/gone" "$CHOM_TMP/meta" "$CHOM_TMP/state" "$CHOM_T"
  chom__nss_init
  # Heartbeat reference (chom__controller_silent): touches older than this script do not count.
  : >"$CHOM_TMP/hb-ref"; CHOM_HB_REF=$EPOCHSECONDS; CHOM_HB_SEEN=$EPOCHSECONDS; CHOM_HB_ON=0
  # The event stream's own descriptor: tasks have stdout captured, yet may ask the controller
  # for something mid-run (chom_request_confirm).
  exec {CHOM_EVENT_FD}>&1
}
