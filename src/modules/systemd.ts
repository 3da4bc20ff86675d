import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  name: { type: 'str', aliases: ['unit'] },
  state: { type: 'str', choices: ['started', 'stopped', 'restarted', 'reloaded'] },
  // No default: absent means "leave as it is".
  enabled: { type: 'bool' },
  daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'] },
  masked: { type: 'bool' },
  /** Seconds a start/restart may take to reach "active" (not an Ansible argument; default 30). */
  timeout: { type: 'int', min: 1, default: 30 },
} as const;

// Reads the unit's state once; in check mode predicted states from earlier tasks win.
const HELPERS = String.raw`export SYSTEMD_PAGER= SYSTEMD_COLORS=0
SC=(systemctl --no-pager --no-ask-password); chom_note=""
if [ ! -d /run/systemd/system ]; then
  chom_fail "systemd is not running on this host (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): cannot manage unit $unit"
fi
prop() { "\${SC[@]}" show "$unit" -p "$1" 2>/dev/null | sed -n "s/^$1=//p"; }
load=$(prop LoadState); active=$(prop ActiveState); filestate=$("\${SC[@]}" is-enabled "$unit" 2>/dev/null || true)
predicted=no
if chom_check; then
  p=$(chom_state_get "unit:$unit" || true); [ -n "$p" ] && { active=$p; predicted=yes; }
  p=$(chom_state_get "unit-enabled:$unit" || true); [ -n "$p" ] && filestate=$p
fi
if [ "$load" = not-found ] && [ "$predicted" = no ]; then
  # In check mode an earlier task (apt, copy of a unit file) may be what provides the unit.
  if chom_check; then active=inactive; filestate=disabled; chom_note="unit not found yet: assuming an earlier task provides it; "
  else chom_fail "unit $unit not found (systemctl: LoadState=not-found)"; fi
fi
did() { if chom_check; then chom_changed "\${chom_note}would $1 $unit"; else chom_changed "$2 $unit"; fi; }
fail_journal() {
  chom_fail "$1
---- journalctl -u $unit (last 50 lines) ----
$(journalctl --no-pager -u "$unit" -n 50 2>&1 || true)"
}
wait_active() {
  local deadline=$(( SECONDS + timeout )) grace=$(( SECONDS + 3 )) st res
  while :; do
    st=$("\${SC[@]}" is-active "$unit" 2>/dev/null || true)
    case "$st" in
      active) return 0 ;;
      # A oneshot unit without RemainAfterExit is "inactive" again after a successful run.
      inactive) res=$(prop Result); [ "$res" = success ] && [ "$(prop Type)" = oneshot ] && return 0 ;;
    esac
    # Between the stop and the start of a queued restart the unit reads "inactive", and a unit
    # that had failed (a package's postinst started it before its settings were written) still
    # reads "failed" right after the start was queued: while a job for it is queued that is not
    # an answer yet.
    if { [ "$st" = inactive ] || [ "$st" = failed ]; } && [ -n "$(prop Job)" ] && [ "$SECONDS" -lt "$deadline" ]; then sleep 0.2; continue; fi
    # The job may have finished between those two reads (seen: a restart read "inactive", then
    # no job, while the unit was already up again): the state read after the job is the answer.
    if [ "$st" = inactive ] || [ "$st" = failed ]; then st=$("\${SC[@]}" is-active "$unit" 2>/dev/null || true); [ "$st" = active ] && return 0; fi
    # "inactive" with Result=success and no job right after the job was queued is still no
    # answer (seen twice under load, 0.2 s after a restart): a unit that really stopped is
    # judged after a short grace, one that failed (Result other than success) at once.
    if [ "$st" = inactive ] && [ "$SECONDS" -lt "$grace" ] && [ "$(prop Result)" = success ]; then sleep 0.2; continue; fi
    if [ "$st" = failed ] || [ "$st" = inactive ] || [ "$SECONDS" -ge "$deadline" ]; then
      [ "$st" = activating ] && "\${SC[@]}" stop --no-block "$unit" 2>/dev/null || true
      fail_journal "unit $unit did not become active within \${timeout}s (is-active: $st, result: $(prop Result))"
    fi
    sleep 0.5
  done
}
`.replace(/\\\$\{/g, '${');

/**
 * systemd units: mask/unmask, enable/disable, then start/stop/restart/reload, each only when
 * the unit differs (restarted and reloaded always act, as in Ansible). Jobs are queued with
 * --no-block and then awaited with a deadline, so a hanging unit fails the task with its
 * journal instead of hanging the run. Without systemd as PID 1 the task fails with a clear message.
 */
function compile(p: Params<typeof args>): string {
  const { state, enabled, masked, timeout } = p;
  const unit = p.name;
  const daemonReload = p.daemon_reload;
  if (unit === undefined) {
    if (!daemonReload || state !== undefined || enabled !== undefined || masked !== undefined) {
      throw new ModuleArgError('name is required (only daemon_reload: yes may be given without a unit)', 'name');
    }
    return [
      '# systemd daemon-reload',
      'if [ ! -d /run/systemd/system ]; then chom_fail "systemd is not running on this host (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): cannot reload systemd"; fi',
      'if chom_check; then chom_ok "would reload systemd"; return 0; fi',
      'systemctl daemon-reload || chom_fail "systemctl daemon-reload failed"',
      'chom_ok "systemd reloaded"',
      '',
    ].join('\n');
  }
  const name = String(unit);
  if (name.startsWith('-') || /\s/.test(name)) throw new ModuleArgError(`invalid unit name ${JSON.stringify(name)}`, 'name');
  if (state === undefined && enabled === undefined && masked === undefined && !daemonReload) {
    throw new ModuleArgError('give at least one of state, enabled, masked, daemon_reload', 'state');
  }
  const L: string[] = [
    `# systemd ${name}${state ? ` state=${state}` : ''}${enabled === undefined ? '' : ` enabled=${enabled}`}`,
    `unit=${quote(name)}; timeout=${quote(timeout)}`,
  ];
  // daemon-reload first so the state below is read from the unit files as they are now.
  if (daemonReload)
    L.push('[ -d /run/systemd/system ] && ! chom_check && { systemctl daemon-reload || chom_fail "systemctl daemon-reload failed"; }');
  L.push(HELPERS);
  if (masked === false) {
    L.push(
      'if [ "$filestate" = masked ] || [ "$filestate" = masked-runtime ]; then did unmask unmasked; chom_check || { chom_journal unit-unmask "$unit" mask; "${SC[@]}" unmask "$unit"; }; filestate=$("${SC[@]}" is-enabled "$unit" 2>/dev/null || true); fi',
    );
  }
  if (masked === true) {
    L.push(
      'if [ "$filestate" != masked ]; then did mask masked; if chom_check; then chom_state_set "unit-enabled:$unit" masked; else chom_journal unit-mask "$unit" unmask; "${SC[@]}" mask "$unit"; fi; filestate=masked; fi',
    );
  }
  if (enabled === true) {
    // static/indirect/generated units cannot be enabled and count as enabled, as in Ansible.
    L.push(
      'case "$filestate" in enabled|enabled-runtime|static|indirect|generated|alias|transient) ;;',
      '  masked|masked-runtime) chom_fail "unit $unit is masked: cannot enable it (set masked: no)" ;;',
      '  *) did enable enabled; if chom_check; then chom_state_set "unit-enabled:$unit" enabled; else chom_journal unit-enable "$unit" disable; "${SC[@]}" enable "$unit" 2>&1 || chom_fail "systemctl enable $unit failed"; fi ;;',
      'esac',
    );
  } else if (enabled === false) {
    L.push(
      'case "$filestate" in enabled|enabled-runtime|alias)',
      '  did disable disabled; if chom_check; then chom_state_set "unit-enabled:$unit" disabled; else chom_journal unit-disable "$unit" enable; "${SC[@]}" disable "$unit" 2>&1 || chom_fail "systemctl disable $unit failed"; fi ;;',
      'esac',
    );
  }
  const act = (verb: string, past: string, wait: boolean) =>
    [
      `did ${verb} ${past}`,
      'if chom_check; then chom_state_set "unit:$unit" active; else',
      verb === 'start' ? '  chom_journal unit-start "$unit" stop' : '  :',
      `  "\${SC[@]}" ${verb} --no-block "$unit" || fail_journal "systemctl ${verb} $unit failed"`,
      wait ? '  wait_active' : '  :',
      'fi',
    ].join('\n');
  if (state === 'started') {
    L.push('if [ "$active" != active ] && [ "$active" != reloading ]; then', act('start', 'started', true), 'fi');
  } else if (state === 'restarted') {
    L.push(act('restart', 'restarted', true));
  } else if (state === 'reloaded') {
    // Ansible starts a stopped unit on "reloaded"; reload-or-restart also covers units without ExecReload.
    L.push('if [ "$active" != active ]; then', act('start', 'started', true), 'else', act('reload-or-restart', 'reloaded', true), 'fi');
  } else if (state === 'stopped') {
    L.push(
      'case "$active" in active|activating|reloading|deactivating)',
      '  did stop stopped',
      '  if chom_check; then chom_state_set "unit:$unit" inactive; else',
      // stop waits for the job, but never longer than the deadline.
      '    chom_journal unit-stop "$unit" start',
      '    timeout "$timeout" "${SC[@]}" stop "$unit" || chom_fail "systemctl stop $unit failed or took more than ${timeout}s"',
      '  fi ;;',
      'esac',
    );
  }
  L.push(
    // Nothing above reported a change: say what the unit looks like.
    'chom_ok "unit $unit is ${active:-unknown}, ${filestate:-unknown}"',
  );
  return L.join('\n') + '\n';
}

const systemd = defineModule({ name: 'systemd', aliases: ['service', 'systemd_service'], args, compile });
export default systemd;
