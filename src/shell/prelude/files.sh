# shellcheck shell=bash
# File writing and attributes: chom_put_content/put_file, chom_set_attrs, chom_mode_apply, chom_symlink. See ../prelude.ts.
# ---- chom-play runtime: files ----
# Octal mode (4 digits) that MODE gives when applied to a file whose mode is CUR (octal).
# MODE is octal ("0644", "644") or symbolic like chmod's ("u=rw,g=r,o=", "a+X", "g-w,o-rwx").
chom_mode_apply() {
  local cur=$((8#$1)) spec=$2 isdir=${3:-0} clause who rest op perms c bits mask res v
  if [[ $spec =~ ^[0-7]+$ ]]; then printf '%04o\n' "$((8#$spec))"; return 0; fi
  res=$cur
  local IFS=,
  for clause in $spec; do
    who=${clause%%[-+=]*}; rest=${clause:${#who}}
    [ -z "$who" ] && who=a
    mask=0
    [[ $who == *[ua]* ]] && mask=$((mask | 04700))
    [[ $who == *[ga]* ]] && mask=$((mask | 02070))
    [[ $who == *[oa]* ]] && mask=$((mask | 01007))
    while [ -n "$rest" ]; do
      op=${rest:0:1}; rest=${rest:1}; perms=${rest%%[-+=]*}; rest=${rest:${#perms}}
      bits=0
      while [ -n "$perms" ]; do
        c=${perms:0:1}; perms=${perms:1}
        case $c in
          r) bits=$((bits | 0444)) ;; w) bits=$((bits | 0222)) ;; x) bits=$((bits | 0111)) ;;
          X) if [ "$isdir" = 1 ] || (( cur & 0111 )); then bits=$((bits | 0111)); fi ;;
          s) bits=$((bits | 06000)) ;; t) bits=$((bits | 01000)) ;;
          u) v=$(( (res >> 6) & 7 )); bits=$((bits | v << 6 | v << 3 | v)) ;;
          g) v=$(( (res >> 3) & 7 )); bits=$((bits | v << 6 | v << 3 | v)) ;;
          o) v=$(( res & 7 )); bits=$((bits | v << 6 | v << 3 | v)) ;;
        esac
      done
      bits=$((bits & mask))
      case $op in
        +) res=$((res | bits)) ;; -) res=$((res & ~bits)) ;; =) res=$(( (res & ~mask) | bits )) ;;
      esac
    done
  done
  printf '%04o\n' "$(( res & 07777 ))"
}

# Metadata of the paths the tasks manage, read by ONE stat at the start (chom__prefetch, called
# by chom_main with the paths the controller knows): CHOM_STC[PATH]="MODE USER GROUP UID GID SIZE"
# (links followed). chom_set_attrs reads it instead of starting a stat per path. Valid only
# while nothing changed: chom__run empties it after any task that changed something or failed,
# and it is never filled in check mode (reads there go through the scratch view). Inside a task
# it is read only until the task reports a change, and an entry is dropped once set_attrs acts.
# CHOM_SHAC[PATH] holds the sha256 of the files whose wanted content the controller knows
# (chom__prefetch_sha, one sha256sum), so chom_put_b64 decides "same content" without a process.
declare -gA CHOM_STC=() CHOM_SHAC=()
chom__prefetch_sha() {
  [ "$#" -gt 0 ] || return 0
  chom_check && return 0
  local out rec
  out=$(sha256sum -- "$@" 2>/dev/null) || true
  [ -n "$out" ] || return 0
  while IFS= read -r rec; do
    # sha256sum escapes odd names with a leading backslash: those are left to the task.
    [[ $rec == \\* ]] && continue
    CHOM_SHAC[${rec#*  }]=${rec%%  *}
  done <<<"$out"
}
chom__prefetch() {
  [ "$#" -gt 0 ] || return 0
  chom_check && return 0
  # One line per path (the controller sends no path with a newline); missing paths are absent.
  local out rec
  out=$(stat -L --printf '%n\t%a %U %G %u %g %s\n' -- "$@" 2>/dev/null) || true
  [ -n "$out" ] || return 0
  while IFS= read -r rec; do
    CHOM_STC[${rec%$'\t'*}]=${rec##*$'\t'}
  done <<<"$out"
}

# Brings mode/owner/group of P in line (empty = leave as is); NOFOLLOW=1 acts on a link itself.
# Reports "set P: mode 0644 -> 0600, owner root -> www" (unless CHOM_ATTRS_QUIET=1) and sets
# CHOM_ATTRS_CHANGED=1|0. In check mode the change lands on the scratch copy; an owner or group
# that does not exist yet is accepted when an earlier task predicted it (user:/group: state).
chom_set_attrs() {
  local p=$1 mode=${2:-} owner=${3:-} group=${4:-} nofollow=${5:-0}
  local cur st m u g uid gid isdir=0 want="" t L=-L h="" ok
  local -a changes=()
  CHOM_ATTRS_CHANGED=0
  [ -z "$mode$owner$group" ] && return 0
  chom__normv p "$p"; chom_pathv cur "$p"
  chom_exists "$cur" || chom_fail "$p does not exist"
  if [ "$nofollow" = 1 ]; then L=""; h=-h; fi
  if [ -n "$L" ] && [ -n "${CHOM_STC[$cur]+x}" ] && [ ! -s "${CHOM_T:-/nonexistent}/changed" ]; then st=${CHOM_STC[$cur]}
  else st=$(stat $L -c '%a %U %G %u %g' -- "$cur") || chom_fail "cannot read the attributes of $p"; fi
  read -r m u g uid gid _ <<<"$st"
  [ -d "$cur" ] && isdir=1
  printf -v m '%04o' "$((8#$m))"
  # shellcheck disable=SC2166 # -o inside one test: both operands are plain string/file tests
  if [ -n "$mode" ] && [ ! -L "$cur" -o -z "$h" ]; then
    # Octal modes need no arithmetic on the current mode: no subshell on the common path.
    if [[ $mode =~ ^0?[0-7]{3,4}$ ]]; then printf -v want '%04o' "$((8#$mode))"; else want=$(chom_mode_apply "$m" "$mode" "$isdir"); fi
    if [ "$want" != "$m" ]; then changes+=("mode $m -> $want"); else want=""; fi
  fi
  if [ -n "$owner" ] && [ "$owner" != "$u" ] && [ "$owner" != "$uid" ]; then changes+=("owner $u -> $owner"); else owner=""; fi
  if [ -n "$group" ] && [ "$group" != "$g" ] && [ "$group" != "$gid" ]; then changes+=("group $g -> $group"); else group=""; fi
  [ "${#changes[@]}" -eq 0 ] && return 0
  CHOM_ATTRS_CHANGED=1
  unset 'CHOM_STC[$cur]'
  if chom_check; then
    if [ -n "$owner" ] && ! getent passwd "$owner" >/dev/null; then
      ok=$(chom_state_get "user:$owner" || true); [ "$ok" = present ] || chom_fail "owner $owner does not exist on this host"; owner=""
    fi
    if [ -n "$group" ] && ! getent group "$group" >/dev/null; then
      ok=$(chom_state_get "group:$group" || true); [ "$ok" = present ] || chom_fail "group $group does not exist on this host"; group=""
    fi
    t=$(chom_target "$p")
  else
    t=$p
    chom_journal attrs "$p" "attrs $m $uid $gid"
  fi
  if [ -n "$owner" ]; then chown $h -- "$owner" "$t" || chom_fail "cannot set owner $owner on $p"; fi
  if [ -n "$group" ]; then chgrp $h -- "$group" "$t" || chom_fail "cannot set group $group on $p"; fi
  if [ -n "$want" ]; then chmod -- "$want" "$t" || chom_fail "cannot set mode $want on $p"; fi
  [ "${CHOM_ATTRS_QUIET:-0}" = 1 ] && return 0
  local joined; joined=$(printf '%s, ' "${changes[@]}")
  chom_changed "$(chom_check && printf 'would set' || printf 'set') $p: ${joined%, }"
}

# chom_lineinfile_ok FILE STATE KIND PATTERN LINE: decides in builtins that lineinfile needs no
# edit of FILE, for its common shapes (KIND prefix|substr: a regexp that is a literal, anchored or
# not, or search_string; line: neither), so the no-change pass starts no perl. It only ever
# answers "no edit" (status 0) exactly where the perl program would say ok; anything else
# (status 1) goes to perl, which stays the reference. Needs FILE's size from the start-of-run stat
# (CHOM_STC, still valid): bytes bash cannot hold (NUL) make the count differ, and a carriage
# return anywhere, also leave it to perl. Compares bytes (LC_ALL=C), as perl does.
chom_lineinfile_ok() {
  local f=$1 state=$2 kind=$3 pat=$4 line=$5 key size sum=0 i hit=-1 body has=0 LC_ALL=C
  local -a l=()
  chom__normv key "$f"
  [ -n "${CHOM_STC[$key]+x}" ] && [ ! -s "${CHOM_T:-/nonexistent}/changed" ] || return 1
  size=${CHOM_STC[$key]##* }
  [[ $size =~ ^[0-9]+$ ]] && [ -f "$f" ] && [ -r "$f" ] || return 1
  mapfile -t l <"$f" || return 1
  for i in "${!l[@]}"; do
    body=${l[$i]}
    [[ $body == *$'\r'* ]] && return 1
    sum=$((sum + ${#body} + 1))
    case $kind in
      prefix) [[ $body == "$pat"* ]] && hit=$i ;;
      substr) [[ $body == *"$pat"* ]] && hit=$i ;;
      line) [ "$body" = "$line" ] && hit=$i ;;
      *) return 1 ;;
    esac
    [ "$body" = "$line" ] && has=1
  done
  # Every line ends in a newline (size = sum), or all but the last one (size = sum - 1).
  [ "$size" = "$sum" ] || { [ "$sum" -gt 0 ] && [ "$size" = "$((sum - 1))" ]; } || return 1
  if [ "$state" = absent ]; then [ "$hit" -lt 0 ]; return; fi
  [ "$state" = present ] || return 1
  if [ "$hit" -ge 0 ]; then [ "${l[$hit]}" = "$line" ]; return; fi
  [ "$kind" != line ] && [ "$has" = 1 ]
}

# Installs the content of file SRC at DEST when it differs (sha256): atomic (temp file in DEST's
# directory + mv), old file backed up first, BACKUP=1 also keeps DEST.<time>~ beside it (Ansible's
# backup: yes), then MODE/OWNER/GROUP. New files get 0644; replaced files keep owner and mode.
# MSG replaces the default "updated DEST" message. Reports changed or leaves it to the caller's ok.
chom_put_file() {
  local dest src=$2 mode=${3:-} owner=${4:-} group=${5:-} backup=${6:-0} msg=${7:-}
  local parent cur existed=0 tmp t did=0 m err
  chom__normv dest "$1"; chom__parentv parent "$dest"; chom_pathv cur "$dest"; chom_pathv t "$parent"
  [ -d "$t" ] || chom_fail "directory $parent does not exist (create it first: file module, state: directory)"
  if [ -d "$cur" ] && [ ! -L "$cur" ]; then chom_fail "$dest is a directory"; fi
  if ! { [ -f "$cur" ] && [ ! -L "$cur" ] && chom_same "$cur" "$src"; }; then
    did=1
    chom_exists "$cur" && existed=1
    chom_diff "$cur" "$src" "$dest"
    if [ -z "$msg" ]; then
      if [ "$existed" = 1 ]; then msg="update $dest"; else msg="create $dest"; fi
      if chom_check; then msg="would $msg"; else msg="${msg/#update/updated}"; msg="${msg/#create/created}"; fi
    fi
    if chom_check; then
      t=$(chom_target "$dest")
      if [ -L "$t" ] || [ ! -f "$t" ]; then rm -f -- "$t"; (umask 022; cat -- "$src" >"$t"); else cat -- "$src" >"$t"; fi
    else
      tmp=$(mktemp "$parent/.chom-XXXXXX") || chom_fail "cannot create a temporary file in $parent"
      printf '%s\n' "$tmp" >>"$CHOM_T/pending"
      # A full disk fails here, before the rename: DEST keeps its old content.
      if ! err=$(cat -- "$src" 2>&1 >"$tmp"); then
        rm -f -- "$tmp"
        case $err in
          *"No space left"*) chom_fail "disk full: cannot write $dest: $(df -Pk -- "$parent" | awk 'NR == 2 { print $6 " has " $4 " KB free" }'), the new content needs $(( ($(stat -c %s -- "$src") + 1023) / 1024 )) KB; the previous file is intact" ;;
          *) chom_fail "cannot write $dest: $err" ;;
        esac
      fi
      if [ -f "$cur" ] && [ ! -L "$cur" ]; then chmod --reference="$dest" -- "$tmp"; chown --reference="$dest" -- "$tmp"
      else chmod 0644 -- "$tmp"; fi
      # Wanted attributes before the rename: a secret never sits at DEST with a looser mode.
      if [ -n "$mode" ]; then m=$(stat -c %a -- "$tmp"); chmod -- "$(chom_mode_apply "$m" "$mode" 0)" "$tmp"; fi
      if [ -n "$owner" ]; then chown -- "$owner" "$tmp" || chom_fail "cannot set owner $owner on $dest"; fi
      if [ -n "$group" ]; then chgrp -- "$group" "$tmp" || chom_fail "cannot set group $group on $dest"; fi
      if [ "$existed" = 1 ]; then
        chom_backup "$dest"
        if [ "$backup" = 1 ]; then cp -P -p -- "$dest" "$dest.$(date +%Y-%m-%d@%H:%M:%S)~"; fi
      fi
      mv -f -T -- "$tmp" "$dest" || chom_fail "cannot move the new content into $dest"
      [ "$existed" = 1 ] || chom_journal create "$dest" delete
    fi
    chom_changed "$msg"
  fi
  chom_set_attrs "$dest" "$mode" "$owner" "$group"
  if [ "$did" = 0 ] && [ "$CHOM_ATTRS_CHANGED" = 0 ]; then
    chom_ok "$dest has the wanted content$([ -n "$mode$owner$group" ] && printf ' and attributes')"
  fi
}

# chom_put_b64 DEST SHA256 B64 MODE OWNER GROUP BACKUP [MSG]: chom_put_content for content whose
# sha256 the controller computed. When the hash read at the start (CHOM_SHAC, still valid: no
# change so far) matches, only the attributes are checked: no decoding, temp file or compare.
chom_put_b64() {
  local d; chom__normv d "$1"
  if [ -n "${CHOM_SHAC[$d]+x}" ] && [ "${CHOM_SHAC[$d]}" = "$2" ] && [ ! -s "${CHOM_T:-/nonexistent}/changed" ] \
    && ! chom_check && [ -f "$d" ] && [ ! -L "$d" ]; then
    chom_set_attrs "$d" "${4:-}" "${5:-}" "${6:-}"
    if [ "$CHOM_ATTRS_CHANGED" = 0 ]; then
      if [ -n "${4:-}${5:-}${6:-}" ]; then chom_ok "$d has the wanted content and attributes"; else chom_ok "$d has the wanted content"; fi
    fi
    return 0
  fi
  local src; chom_tmpfilev src
  chom_b64d "$3" >"$src"
  chom_put_file "$1" "$src" "${@:4}"
}

# chom_put_content DEST B64 MODE OWNER GROUP BACKUP [MSG]: chom_put_file with base64 content.
chom_put_content() {
  local src; chom_tmpfilev src
  chom_b64d "$2" >"$src"
  chom_put_file "$1" "$src" "${@:3}"
}

# Makes P a symbolic link to SRC. A file at P is replaced only with FORCE=1, a directory never;
# a missing SRC is refused unless FORCE=1. Reports changed; returns 0 silently when already right.
chom_symlink() {
  local src=$1 p force=${3:-0} cur parent abs tmp existed=0 pt
  chom__normv p "$2"; chom_pathv cur "$p"; chom__parentv parent "$p"
  if [ -L "$cur" ] && [ "$(readlink -- "$cur")" = "$src" ]; then return 0; fi
  if [ -d "$cur" ] && [ ! -L "$cur" ]; then chom_fail "$p is a directory: refusing to replace it with a link"; fi
  if [ -e "$cur" ] && [ ! -L "$cur" ] && [ "$force" != 1 ]; then chom_fail "$p exists and is not a link: refusing to replace it (force: yes replaces it)"; fi
  chom_pathv pt "$parent"; [ -d "$pt" ] || chom_fail "directory $parent does not exist"
  case $src in /*) abs=$src ;; *) abs="$parent/$src" ;; esac
  if ! chom_exists "$(chom_path "$abs")" && [ "$force" != 1 ]; then chom_fail "link source $src does not exist (force: yes creates the link anyway)"; fi
  if chom_check; then
    t=$(chom_target "$p"); rm -rf -- "$t"; ln -s -- "$src" "$t"
    chom_changed "would link $p -> $src"; return 0
  fi
  if chom_exists "$p"; then existed=1; chom_backup "$p"; fi
  tmp="$parent/.chom-link-$RANDOM$RANDOM$RANDOM"
  ln -s -- "$src" "$tmp"
  mv -f -T -- "$tmp" "$p" || { rm -f -- "$tmp"; chom_fail "cannot create link $p"; }
  [ "$existed" = 1 ] || chom_journal create "$p" delete
  chom_changed "linked $p -> $src"
}
