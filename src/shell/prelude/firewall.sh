# shellcheck shell=bash
# Firewall runtime (used by the ufw module): what keeps SSH open, and the dead-man switch.
#
#   chom_ufw_installed         ufw is on the host
#   chom_ufw_active            ufw is enabled and loaded ("Status: active")
#   chom_ufw_needed WORDS...   0 when `ufw WORDS...` would change the rules (asks `ufw --dry-run`)
#   chom_ssh_connection        SSH_CONNECTION of this script, or of the nearest ancestor that has
#                              it (sudo resets the environment)
#   chom_ufw_ssh_rules         the ufw rules that keep SSH reachable, one a line: every port sshd
#                              is configured with (sshd -T and /etc/ssh/sshd_config*) and the
#                              port + source of the current connection. Port rules cover IPv4
#                              and IPv6 (ufw adds both when IPV6=yes).
#   chom_ufw_arm SECONDS       snapshot /etc/ufw, /etc/default/ufw and the enabled state, and
#                              schedule their restore in SECONDS (a transient systemd timer when
#                              systemd runs, else a detached setsid process): it survives the
#                              SSH connection. Sets CHOM_UFW_GUARD (its directory).
#   chom_ufw_disarm            cancel the restore; returns 1 if it already started. The
#                              snapshot stays ($CHOM_UFW_GUARD/restore.sh now restores it).
#   chom_ufw_confirm SECONDS   ask the controller to log in anew (chom_request_confirm) and wait
#                              for its proof; returns 1 when it did not come in time
#   chom_ufw_wait_restored S   wait up to S seconds for the switch to finish; returns 1 if not
# ---- chom-play runtime: firewall guard (ufw) ----
chom_ufw_installed() { command -v ufw >/dev/null 2>&1; }
chom_ufw_active() { LC_ALL=C ufw status 2>/dev/null | grep -q '^Status: active'; }
chom_ufw_needed() {
  local out; out=$(LC_ALL=C ufw --dry-run "$@" 2>&1) || true
  grep -qE '^(Rules? updated|Rule (added|inserted|deleted|updated))' <<<"$out"
}
chom_ssh_connection() {
  if [ -n "${SSH_CONNECTION:-}" ]; then printf '%s' "$SSH_CONNECTION"; return 0; fi
  local pid=$$ v
  while [ -n "$pid" ] && [ "$pid" -gt 1 ]; do
    v=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^SSH_CONNECTION=//p' | head -n 1)
    if [ -n "$v" ]; then printf '%s' "$v"; return 0; fi
    pid=$(sed -n 's/^PPid:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
  done
  return 0
}
chom_ufw_ssh_rules() {
  local ports src="" sport="" p
  ports=$( { sshd -T 2>/dev/null; cat /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf 2>/dev/null; } \
    | awk 'tolower($1) == "port" { print $2 }' | grep -E '^[0-9]+$' | sort -un || true)
  read -r src _ _ sport <<<"$(chom_ssh_connection)" || true
  [ -n "$ports$sport" ] || ports=22
  for p in $ports $sport; do printf 'allow %s/tcp comment chom-play:ssh\n' "$p"; done | sort -u
  if [ -n "$src" ] && [ -n "$sport" ]; then
    printf 'allow proto tcp from %s to any port %s comment chom-play:ssh-controller\n' "$src" "$sport"
  fi
}
chom_ufw_arm() {
  local secs=$1 token d
  token="ufw-${CHOM_RUN_ID//[^A-Za-z0-9]/}-${CHOM_TASK_ID}-$RANDOM"
  d=/run/chom-play/ufw-guard/$token
  mkdir -p -m 0700 "$d"
  tar -C / -cf "$d/saved.tar" etc/ufw etc/default/ufw
  if chom_ufw_active; then echo yes >"$d/was_active"; else echo no >"$d/was_active"; fi
  # The restore: runs unless disarmed first; mkdir is the lock between it and chom_ufw_disarm.
  cat >"$d/restore.sh" <<EOF
#!/bin/bash
d=$d
# "now": the task itself restores after a failed change (it holds the claim already).
if [ "\${1:-}" != now ]; then mkdir "\$d/claimed" 2>/dev/null || exit 0; [ -e "\$d/disarmed" ] && exit 0; fi
tar -C / -xf "\$d/saved.tar"
if [ "\$(cat "\$d/was_active")" = yes ]; then ufw --force disable; ufw --force enable; else ufw --force disable; fi >"\$d/restore.log" 2>&1
date '+%Y-%m-%d %H:%M:%S' >"\$d/restored"
logger -t chom-play "ufw dead-man switch: no confirmation in $secs s, previous firewall rules restored" 2>/dev/null || true
EOF
  chmod 0700 "$d/restore.sh"
  if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1 \
    && systemd-run --quiet --unit="chom-$token" --on-active="$secs" --timer-property=AccuracySec=100ms /bin/bash "$d/restore.sh" >/dev/null 2>&1; then
    echo "systemd:chom-$token" >"$d/how"
  else
    # shellcheck disable=SC2016 # $1 and $2 belong to the inner bash -c
    setsid -f bash -c 'sleep "$1"; exec /bin/bash "$2"' _ "$secs" "$d/restore.sh" </dev/null >/dev/null 2>&1
    echo setsid >"$d/how"
  fi
  CHOM_UFW_GUARD=$d
}
chom_ufw_disarm() {
  local d=$CHOM_UFW_GUARD how
  : >"$d/disarmed"
  mkdir "$d/claimed" 2>/dev/null || return 1
  how=$(cat "$d/how")
  case $how in systemd:*) systemctl stop "${how#systemd:}.timer" >/dev/null 2>&1 || true ;; esac
  return 0
}
chom_ufw_confirm() {
  local secs=$1 f deadline
  f="/run/chom-play/confirm/${CHOM_UFW_GUARD##*/}"
  chom_request_confirm "$f"
  deadline=$(( SECONDS + secs ))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -e "$f" ]; then rm -f -- "$f"; return 0; fi
    sleep 0.2
  done
  return 1
}
chom_ufw_wait_restored() {
  local deadline=$(( SECONDS + $1 ))
  while [ "$SECONDS" -lt "$deadline" ]; do [ -e "$CHOM_UFW_GUARD/restored" ] && return 0; sleep 0.2; done
  return 1
}
