# shellcheck shell=bash
# Check-mode scratch: files an earlier task "wrote" live in $CHOM_TMP/fs/<sha256 of path>,
# removals are markers in $CHOM_TMP/gone/<sha256 of path> (covering everything below), and
# $CHOM_TMP/meta/<key> holds the real path of each scratch entry. Outside check mode these
# functions return the real path and touch nothing. Documented in ../prelude.ts.
# ---- chom-play runtime: check-mode view of the file system ----
chom_path() {
  if ! chom_check; then printf '%s\n' "$1"; return 0; fi
  local p a k
  p=$(chom__norm "$1"); k=$(chom__key "$p")
  if chom_exists "$CHOM_TMP/fs/$k"; then printf '%s\n' "$CHOM_TMP/fs/$k"; return 0; fi
  a=$p
  while :; do
    k=$(chom__key "$a")
    if [ -e "$CHOM_TMP/gone/$k" ]; then printf '%s\n' "$CHOM_TMP/none/$k"; return 0; fi
    [ "$a" = / ] && break
    a=$(chom__parent "$a")
  done
  printf '%s\n' "$p"
}

# Path to WRITE for P. In check mode: the scratch entry, first filled with what P holds now
# (file content, a directory without its content, or the link itself) with owner and mode kept.
chom_target() {
  if ! chom_check; then printf '%s\n' "$1"; return 0; fi
  local p k s cur
  p=$(chom__norm "$1"); k=$(chom__key "$p"); s="$CHOM_TMP/fs/$k"
  if ! chom_exists "$s"; then
    cur=$(chom_path "$p")
    if [ -L "$cur" ]; then cp -P -p -- "$cur" "$s"
    elif [ -d "$cur" ]; then mkdir -- "$s"; chmod --reference="$cur" -- "$s"; chown --reference="$cur" -- "$s"
    elif [ -f "$cur" ]; then cp -p -- "$cur" "$s"
    fi
    printf '%s' "$p" >"$CHOM_TMP/meta/$k"
  fi
  printf '%s\n' "$s"
}

# Check mode: P and everything below it count as removed from now on.
chom__gone() {
  local p k m mp
  p=$(chom__norm "$1"); k=$(chom__key "$p")
  for m in "$CHOM_TMP"/meta/*; do
    [ -f "$m" ] || continue
    mp=$(cat "$m")
    if [ "$mp" = "$p" ] || [[ $mp == "$p"/* ]] || [ "$p" = / ]; then rm -rf -- "$CHOM_TMP/fs/${m##*/}" "$m"; fi
  done
  : >"$CHOM_TMP/gone/$k"
}

# Copies P (recursively, owner/mode/times kept) under $CHOM_BACKUP_DIR/<task id>/P, journals
# "restore" and sets CHOM_BACKUP_PATH. Never in check mode.
chom_backup() {
  CHOM_BACKUP_PATH=""
  chom_check && return 0
  local p b n=1
  p=$(chom__norm "$1")
  chom_exists "$p" || return 0
  b="$CHOM_BACKUP_DIR/${CHOM_TASK_ID:-0}$p"
  while chom_exists "$b"; do b="$CHOM_BACKUP_DIR/${CHOM_TASK_ID:-0}.$n$p"; n=$((n + 1)); done
  mkdir -p -m 0700 "$CHOM_BACKUP_DIR"
  mkdir -p -- "$(chom__parent "$b")"
  cp -a -- "$p" "$b"
  CHOM_BACKUP_PATH=$b
  chom_journal backup "$p" restore "$b"
}

# Removes P (file, link or whole directory) after backing it up. Reports changed.
chom_remove() {
  local p cur
  p=$(chom__norm "$1"); cur=$(chom_path "$p")
  chom_exists "$cur" || return 0
  if chom_check; then chom__gone "$p"; chom_changed "would remove $p"; return 0; fi
  chom_backup "$p"
  rm -rf -- "$p"
  chom_changed "removed $p"
}

# Creates directory P and its missing parents; each created one gets MODE/OWNER/GROUP (if given)
# and is journaled (undo: rmdir). Reports changed per created directory.
chom_mkdir() {
  local p=$1 mode=${2:-} owner=${3:-} group=${4:-} a cur
  local -a todo=()
  p=$(chom__norm "$p"); a=$p
  while :; do
    cur=$(chom_path "$a")
    if [ -d "$cur" ]; then break; fi
    if chom_exists "$cur"; then chom_fail "$a exists and is not a directory"; fi
    todo=("$a" "${todo[@]}")
    [ "$a" = / ] && break
    a=$(chom__parent "$a")
  done
  for a in "${todo[@]}"; do
    if chom_check; then
      mkdir -- "$(chom_target "$a")"
    else
      mkdir -- "$a"
      chom_journal mkdir "$a" rmdir
    fi
    chom_changed "$(chom_check && printf 'would create' || printf 'created') directory $a"
    CHOM_ATTRS_QUIET=1 chom_set_attrs "$a" "$mode" "$owner" "$group"
  done
}
