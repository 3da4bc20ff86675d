# shellcheck shell=bash
# Rollback on the host: reads a run's journal ($CHOM_JOURNAL lines written by chom_journal) and
# undoes it newest first, one "undo" event per step. Used by `chom-play rollback` scripts and by
# run scripts of plays with rollback_on_failure. Documented in ../prelude.ts.
#
# Journal steps (op / undo):
#   backup restore (+backup)   put the backed-up copy back (cp -a: content, owner, mode, times)
#   create delete              remove the file or link the run created
#   mkdir rmdir                remove the directory if empty; one holding later data is kept
#   attrs "attrs MODE UID GID" put the old mode and owner back
#   user userdel|"userdel -r"  remove the account the run created (-r: and the home it made)
#   group groupdel             remove the group the run created
#   unit-enable disable, unit-start stop, unit-disable enable, unit-stop start, unit-mask unmask,
#   unit-unmask mask
#   pkg purge|remove           purge the packages the run installed (PATH: names, space-separated;
#                              remove: those that had config files left before), only with
#                              --rollback-packages or in rollback_on_failure (run.sh)
#   leftovers delete           delete the paths listed in file PATH (what packages' maintainer scripts
#                              made, apt.ts), empty directories included
#   ufw-rule delete            `ufw --force delete RULE` (RULE: words as given to ufw)
# ---- chom-play runtime: rollback (journal replay) ----
# The journal's lines newest first, as NUL-terminated fields op, path, undo, backup, task. The
# lines are ours (chom_journal), so a small parser in perl-base does: no JSON module needed.
chom__journal_rev() {
  perl -e '
    my @lines = <STDIN>;
    for my $line (reverse @lines) {
      my %f;
      while ($line =~ /"(\w+)":(?:"((?:[^"\\]|\\.)*)"|(-?[0-9.]+))/g) {
        my ($k, $s, $n) = ($1, $2, $3);
        if (defined $s) {
          $s =~ s/\\u([0-9a-fA-F]{4})|\\(.)/defined $1 ? chr(hex $1) : ($2 eq "n" ? "\n" : $2 eq "t" ? "\t" : $2 eq "r" ? "\r" : $2)/ge;
          $f{$k} = $s;
        } else { $f{$k} = $n }
      }
      next unless defined $f{op};
      print join("\0", map { defined $f{$_} ? $f{$_} : "" } qw(op path undo backup task)), "\0";
    }' <"$1"
}

# Undoes one step (variables op, path, undo, backup of chom__replay); sets st and msg.
chom__undo_one() {
  local would=""; chom_check && would="would "
  case "$op:$undo" in
    backup:restore)
      if ! chom_exists "$backup"; then st=failed; msg="backup $backup of $path is missing: restore $path by hand"; return 0; fi
      msg="${would}restore $path from $backup"
      chom_check && return 0
      mkdir -p -- "$(chom__parent "$path")"
      if [ -d "$backup" ] && [ ! -L "$backup" ]; then
        # shellcheck disable=SC2015 # the || block is meant to run when either step fails
        rm -rf -- "$path" && cp -a -- "$backup" "$path" || { st=failed; msg="could not restore directory $path from $backup"; return 0; }
      else
        # Atomic: a copy beside the file, then a rename; a full disk leaves the current file.
        if [ -d "$path" ] && [ ! -L "$path" ]; then rm -rf -- "$path"; fi
        if ! { cp -a -- "$backup" "$path.chom-undo" && mv -f -T -- "$path.chom-undo" "$path"; }; then
          rm -f -- "$path.chom-undo"; st=failed; msg="could not restore $path from $backup (disk full?)"; return 0
        fi
      fi
      msg="restored $path" ;;
    create:delete)
      if ! chom_exists "$path"; then st=skipped; msg="$path is already gone"
      elif [ -d "$path" ] && [ ! -L "$path" ]; then st=kept; msg="kept $path: it is a directory now, not what the run created"
      else msg="${would}delete $path"; chom_check || { rm -f -- "$path"; msg="deleted $path"; }; fi ;;
    mkdir:rmdir)
      # shellcheck disable=SC2012 # ls -A only counts and names entries for a message
      if [ ! -d "$path" ] || [ -L "$path" ]; then st=skipped; msg="directory $path is already gone"
      elif [ -n "$(ls -A -- "$path" 2>/dev/null | head -n 1)" ] && ! chom_check; then
        st=kept; msg="kept directory $path: it holds data written after the run ($(ls -A -- "$path" | wc -l) entries, e.g. $(ls -A -- "$path" | head -n 3 | paste -sd, -))"
      else msg="${would}remove directory $path"; chom_check || { rmdir -- "$path"; msg="removed directory $path"; }; fi ;;
    attrs:attrs\ *)
      local _a m u g; read -r _a m u g <<<"$undo"
      if ! chom_exists "$path"; then st=skipped; msg="$path is gone: no attributes to put back"; return 0; fi
      msg="${would}put back mode $m, owner $u:$g on $path"
      chom_check || { chown -h -- "$u:$g" "$path"; [ -L "$path" ] || chmod -- "$m" "$path"; msg="put back mode $m, owner $u:$g on $path"; }
      ;;
    user:userdel | user:userdel\ -r)
      if ! getent passwd "$path" >/dev/null; then st=skipped; msg="user $path is already gone"; return 0; fi
      msg="${would}remove user $path$([ "$undo" = "userdel -r" ] && printf ' and its home')"
      chom_check && return 0
      local rc=0
      # shellcheck disable=SC2086 # the undo word is split on purpose ("userdel -r" -> -r)
      userdel ${undo#userdel} -- "$path" >/dev/null 2>&1 || rc=$?
      if getent passwd "$path" >/dev/null; then st=failed; msg="userdel $path failed (exit $rc): is it logged in or running processes?"; else msg=${msg#would }; msg="removed${msg#remove}"; fi ;;
    group:groupdel)
      if ! getent group "$path" >/dev/null; then st=skipped; msg="group $path is already gone"; return 0; fi
      msg="${would}remove group $path"
      chom_check || { groupdel -- "$path" || { st=failed; msg="groupdel $path failed: is it still the primary group of a user?"; return 0; }; msg="removed group $path"; } ;;
    unit-enable:disable | unit-start:stop | unit-disable:enable | unit-stop:start | unit-mask:unmask | unit-unmask:mask)
      msg="${would}$undo unit $path"
      chom_check && return 0
      if systemctl --no-ask-password "$undo" -- "$path" >/dev/null 2>&1; then msg="$undo unit $path: done"; else st=failed; msg="systemctl $undo $path failed"; fi ;;
    pkg:purge | pkg:remove)
      # PATH: one package or several (one apt transaction, as they were installed together).
      if [ "${CHOM_ROLLBACK_PACKAGES:-0}" != 1 ]; then st=kept; msg="kept package(s) $path (installed by the run): --rollback-packages ${undo}s them"; return 0; fi
      local -a all names=(); local n extra
      read -r -a all <<<"$path"
      for n in "${all[@]}"; do
        case "$undo:$(dpkg-query -W -f='${db:Status-Abbrev}' "$n" 2>/dev/null || true)" in purge:?i* | purge:?c* | remove:?i*) names+=("$n") ;; esac
      done
      if [ ${#names[@]} -eq 0 ]; then st=skipped; msg="package(s) $path: already ${undo}d"; return 0; fi
      # Never take along a package the run did not install (apt removes what depends on these).
      extra=$(LC_ALL=C apt-get -s "$undo" -- "${names[@]}" 2>/dev/null | sed -n 's/^\(Remv\|Purg\) \([^ ]*\).*/\2/p' | grep -vxF -f <(printf '%s\n' "${names[@]}" "${names[@]%%:*}") | paste -sd' ' - || true)
      if [ -n "$extra" ]; then st=failed; msg="not ${undo}d: ${names[*]}: apt would also remove $extra (installed before the run); $undo by hand"; return 0; fi
      msg="${would}$undo ${#names[@]} package(s): ${names[*]}"
      chom_check && return 0
      chom_wait_pkg_lock 120 2>/dev/null || { st=failed; msg="the package-manager lock is held: $undo ${names[*]} later"; return 0; }
      if DEBIAN_FRONTEND=noninteractive apt-get -y -q "$undo" -- "${names[@]}" >/dev/null 2>&1; then msg="${undo}d ${#names[@]} package(s) the run installed: ${names[*]}"; else st=failed; msg="apt-get $undo ${names[*]} failed"; fi ;;
    leftovers:delete)
      # PATH: a list (one path a line, parents first) of what the maintainer scripts of packages
      # the run installed created outside the packages' own files (apt.ts); most are gone after
      # the purge. One step for all of them, so the recap names only what was really left.
      if [ ! -f "$path" ]; then st=failed; msg="the list $path of the packages' leftovers is missing"; return 0; fi
      local p; local -a gone=() full=()
      while IFS= read -r p; do
        [ -n "$p" ] || continue
        if [ -d "$p" ] && [ ! -L "$p" ]; then
          # A service's runtime directory (/run/NAME) goes with its contents: no data lives there.
          case $p in /run/?*) chom_check || rm -rf -- "$p"; gone+=("$p"); continue ;; esac
          if chom_check || rmdir -- "$p" 2>/dev/null; then gone+=("$p"); else full+=("$p"); fi
        elif chom_exists "$p"; then chom_check || rm -f -- "$p"; gone+=("$p"); fi
      done < <(tac -- "$path")
      if [ ${#gone[@]} -eq 0 ] && [ ${#full[@]} -eq 0 ]; then st=skipped; msg="the packages the run installed left nothing behind ($(grep -c . "$path") paths checked)"; return 0; fi
      msg="$(if chom_check; then printf 'would remove'; else printf removed; fi) ${#gone[@]} leftover(s) of the packages the run installed: ${gone[*]}"
      if [ ${#full[@]} -gt 0 ]; then st=kept; msg+="; kept ${#full[@]} directory(ies) holding other files: ${full[*]}"; fi ;;
    ufw-rule:delete)
      local -a w; read -r -a w <<<"$path"
      msg="${would}delete firewall rule: $path"
      chom_check && return 0
      if ufw --force delete "${w[@]}" >/dev/null 2>&1; then msg="deleted firewall rule: $path"; else st=failed; msg="ufw delete $path failed"; fi ;;
    stop:none) st=skipped; msg="the run stopped here: $path" ;;
    *) st=failed; msg="unknown journal step (op $op, undo $undo) for $path: undo it by hand" ;;
  esac
}

# Marks a journal as rolled back (RUN.rolled-back beside it): a later rollback without --run
# then says so instead of undoing an older run by surprise.
chom__mark_rolled_back() {
  chom_check && return 0
  printf 'time=%s\nuser=%s\nmachine=%s\nhow=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${CHOM_USER:-${SUDO_USER:-${USER:-?}}}" "${CHOM_MACHINE:-?}" "$2" >"${1%.jsonl}.rolled-back"
}

# chom__replay JOURNAL: undoes every step of JOURNAL, newest first. Emits "rollback", one
# "undo" per step and "rollback_end"; returns 1 when a step failed. Never stops half-way:
# later (older) steps are still tried, and each failure names what to do by hand.
chom__replay() {
  local j=$1 op path undo backup task st msg t0 n=0 nu=0 nk=0 ns=0 nf=0
  chom__now; t0=$CHOM_NOW
  [ -f "$j" ] && n=$(grep -c . "$j" || true)
  chom__ev_rollback "$(basename "$j" .jsonl)" "${n:-0}" "${CHOM_BOOL[${CHOM_CHECK:-0}]}"
  if [ -f "$j" ]; then
    while IFS= read -r -d '' op && IFS= read -r -d '' path && IFS= read -r -d '' undo && IFS= read -r -d '' backup && IFS= read -r -d '' task; do
      st=undone; msg=""
      chom__undo_one 2>/dev/null || { st=failed; msg="undoing $op of $path failed: $msg"; }
      case $st in undone) nu=$((nu + 1)) ;; kept) nk=$((nk + 1)) ;; skipped) ns=$((ns + 1)) ;; *) nf=$((nf + 1)) ;; esac
      chom__ev_undo "${task:-0}" "$op" "$path" "$st" "$msg"
    done < <(chom__journal_rev "$j")
  fi
  chom__now
  chom__ev_rollback_end "$nu" "$nk" "$ns" "$nf" "$(( (CHOM_NOW - t0) / 1000 ))"
  [ "$nf" -eq 0 ]
}
