import { quote } from '../shell/quote.js';
import { BOOL, bool, POS_INT } from './args.js';
import { ModuleArgError, type ModuleDef } from './types.js';

const PORT = {
  anyOf: [
    { type: 'integer', minimum: 1, maximum: 65535 },
    { type: 'string', pattern: '^[0-9]+([:][0-9]+)?(,[0-9]+([:][0-9]+)?)*$' },
  ],
};
const ADDR = { type: 'string', pattern: '^(any|[0-9A-Fa-f.:]+(/[0-9]{1,3})?)$' };

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { enum: ['enabled', 'disabled', 'reloaded', 'reset'] },
    policy: { enum: ['allow', 'deny', 'reject'] },
    default: { enum: ['allow', 'deny', 'reject'] },
    direction: { enum: ['in', 'out', 'incoming', 'outgoing', 'routed'] },
    logging: { enum: ['on', 'off', 'low', 'medium', 'high', 'full', true, false] },
    rule: { enum: ['allow', 'deny', 'limit', 'reject'] },
    port: PORT,
    to_port: PORT,
    from_port: PORT,
    proto: { enum: ['any', 'tcp', 'udp', 'ipv6', 'esp', 'ah', 'gre', 'igmp'] },
    protocol: { enum: ['any', 'tcp', 'udp', 'ipv6', 'esp', 'ah', 'gre', 'igmp'] },
    from_ip: ADDR,
    from: ADDR,
    src: ADDR,
    to_ip: ADDR,
    to: ADDR,
    dest: ADDR,
    interface: { type: 'string', pattern: '^[A-Za-z0-9_.:@-]{1,15}$' },
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 _.+-]*$' },
    comment: { type: 'string', pattern: "^[^'\\n]{1,200}$" },
    delete: BOOL,
    insert: POS_INT,
    log: BOOL,
    route: BOOL,
    /** chom-play: seconds the dead-man switch waits for the controller's new login (default 45). */
    confirm_timeout: POS_INT,
  },
};

const POLICY_VAR: Record<string, string> = {
  incoming: 'DEFAULT_INPUT_POLICY',
  outgoing: 'DEFAULT_OUTPUT_POLICY',
  routed: 'DEFAULT_FORWARD_POLICY',
};
const POLICY_VAL: Record<string, string> = { allow: 'ACCEPT', deny: 'DROP', reject: 'REJECT' };

/** The words after `ufw` for one rule, in ufw's full syntax. */
function ruleWords(args: Record<string, unknown>): string[] {
  const w: string[] = [];
  if (bool(args.delete, false)) w.push('delete');
  if (args.insert !== undefined) w.push('insert', String(args.insert));
  if (bool(args.route, false)) w.push('route');
  w.push(String(args.rule));
  const dir =
    args.direction === undefined
      ? undefined
      : String(args.direction)
          .replace(/^incoming$/, 'in')
          .replace(/^outgoing$/, 'out');
  if (dir === 'routed') throw new ModuleArgError('direction routed is for policy; use route: true for a routed rule', 'direction');
  if (dir !== undefined) w.push(dir);
  if (args.interface !== undefined) w.push('on', String(args.interface));
  if (bool(args.log, false)) w.push('log');
  const proto = String(args.proto ?? args.protocol ?? 'any');
  const toPort = args.to_port ?? args.port;
  if (args.name !== undefined && (proto !== 'any' || toPort !== undefined))
    throw new ModuleArgError('name (an application profile) cannot be combined with proto or port', 'name');
  if (proto !== 'any') w.push('proto', proto);
  w.push('from', String(args.from_ip ?? args.from ?? args.src ?? 'any'));
  if (args.from_port !== undefined) w.push('port', String(args.from_port));
  w.push('to', String(args.to_ip ?? args.to ?? args.dest ?? 'any'));
  if (toPort !== undefined) w.push('port', String(toPort));
  if (args.name !== undefined) w.push('app', String(args.name));
  if (args.comment !== undefined) w.push('comment', String(args.comment));
  if (/[:,]/.test(String(toPort ?? '') + String(args.from_port ?? '')) && !['tcp', 'udp'].includes(proto)) {
    throw new ModuleArgError('port ranges and lists need proto: tcp or udp', 'proto');
  }
  return w;
}

// Runs one change: check mode only describes it; otherwise the switch is armed before the
// first change that could cut SSH (ufw active, or about to be enabled), then ufw runs.
const RUNTIME = String.raw`if chom_ufw_installed; then installed=yes; else
  if ! chom_check; then chom_fail "ufw is not installed on this host: install it first (apt: name=ufw)"; fi
  installed=no; note="ufw is not installed yet (assuming an earlier task installs it): "
fi
active=no; [ $installed = yes ] && chom_ufw_active && active=yes
[ "$active" = yes ] && guarded=yes
armed=no; done_list=()
needed() { [ $installed = no ] || chom_ufw_needed "$@"; }
fail_restore() {
  if [ $armed = yes ] && chom_ufw_disarm; then
    /bin/bash "$CHOM_UFW_GUARD/restore.sh" now || true
    chom_fail "$1; the previous rules were restored"
  fi
  chom_fail "$1"
}
act() { # DESCRIPTION UFW-ARGS...
  local desc=$1 out; shift
  if chom_check; then chom_changed "\${note}would $desc"; note=""; return 0; fi
  if [ "$guarded" = yes ] && [ $armed = no ]; then chom_ufw_arm "$secs"; armed=yes; fi
  out=$(LC_ALL=C ufw "$@" 2>&1) || fail_restore "ufw $* failed: $(tail -n 5 <<<"$out")"
  journal_rule "$@"
  done_list+=("$desc"); chom_changed "$desc"
}
# An added rule records its undo (chom-play rollback runs ufw delete RULE): the words without
# "insert N" and without the comment, as ufw delete takes them.
journal_rule() {
  local -a r=("$@") k=(); local i=0
  [ "\${r[0]}" = insert ] && r=("\${r[@]:2}")
  while [ $i -lt \${#r[@]} ]; do
    if [ "\${r[$i]}" = comment ]; then i=$((i + 2)); continue; fi
    k+=("\${r[$i]}"); i=$((i + 1))
  done
  case \${k[0]:-} in allow|deny|reject|limit|route) chom_journal ufw-rule "\${k[*]}" delete ;; esac
}
conf_get() { sed -n "s/^$1=\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}$/\\1/p" "$2" 2>/dev/null | tail -n 1; }
ssh_guard() {
  local line w
  while IFS= read -r line; do
    read -ra w <<<"$line"
    if needed "\${w[@]}"; then act "add rule: $line (keeps SSH reachable)" "\${w[@]}"; fi
  done < <(chom_ufw_ssh_rules)
}
`.replace(/\\\$\{/g, '${');

const FINISH = String.raw`if [ $armed = yes ]; then
  what=$(printf '%s; ' "\${done_list[@]}"); what=\${what%; }
  if ! chom_ufw_active; then chom_ufw_disarm && rm -rf -- "$CHOM_UFW_GUARD" || true
  elif chom_ufw_confirm "$secs"; then
    chom_ufw_disarm && rm -rf -- "$CHOM_UFW_GUARD" || chom_fail "the controller logged in anew, but only after the dead-man switch had fired (\${secs}s): the previous rules were restored (changes were: $what)"
  elif chom_ufw_wait_restored 20; then
    chom_fail "the controller could not log in anew within \${secs}s after changing the firewall ($what); the dead-man switch restored the previous rules at $(cat "$CHOM_UFW_GUARD/restored")"
  else
    fail_restore "the controller could not log in anew within \${secs}s after changing the firewall ($what) and the dead-man switch did not fire"
  fi
fi
[ \${#done_list[@]} -gt 0 ] || chom_has_changed || chom_ok "ufw is \$( [ $active = yes ] && echo active || echo inactive ); nothing to change"
`
  .replace(/\\\$\{/g, '${')
  .replace(/\\\$\(/g, '$(');

/**
 * ufw (Ansible's community.general.ufw) that cannot lock the operator out:
 *  - before `state: enabled` (and right after `state: reset`) it allows every port sshd listens
 *    on and the port + source of the current SSH connection;
 *  - every change made while ufw is active, or that enables it, is guarded by a dead-man switch
 *    on the host that restores the previous rules and state after confirm_timeout seconds;
 *    after the change the controller must log in over a NEW SSH connection to disarm it.
 *    If it cannot, access comes back by itself and the task fails saying so.
 * Idempotent: rules are compared with `ufw --dry-run`, policies and logging with ufw's own
 * config files. Check mode lists the rules that would be added and removed.
 */
function compile(args: Record<string, unknown>): string {
  const state = args.state === undefined ? undefined : String(args.state);
  const policy = args.policy ?? args.default;
  const logging =
    args.logging === undefined ? undefined : String(args.logging === true ? 'on' : args.logging === false ? 'off' : args.logging);
  if (state === undefined && policy === undefined && logging === undefined && args.rule === undefined) {
    throw new ModuleArgError('give at least one of state, policy, logging, rule', 'state');
  }
  const secs = args.confirm_timeout === undefined ? 45 : Number(args.confirm_timeout);
  const L: string[] = [
    `# ufw${state ? ` state=${state}` : ''}${args.rule ? ` rule=${String(args.rule)}` : ''}`,
    `secs=${quote(secs)}; note=""; guarded=${state === 'enabled' ? 'yes' : 'no'}`,
    RUNTIME,
  ];
  if (state === 'reset') {
    L.push(
      'if [ $installed = no ] || [ $active = yes ] || LC_ALL=C ufw show added 2>/dev/null | grep -q "^ufw "; then',
      '  gone=$( [ $installed = yes ] && LC_ALL=C ufw show added 2>/dev/null | sed -n "s/^ufw //p" | paste -sd, - || true)',
      '  act "reset ufw (disables it; removes rules: ${gone:-none})" --force reset; active=no',
      'fi',
      'ssh_guard',
    );
  }
  if (state === 'enabled') L.push('ssh_guard');
  if (logging !== undefined) {
    const level = logging === 'on' ? 'low' : logging;
    L.push(
      `if [ "$(conf_get LOGLEVEL /etc/ufw/ufw.conf)" != ${quote(level)} ]; then act ${quote(`set logging ${logging}`)} logging ${quote(logging)}; fi`,
    );
  }
  if (policy !== undefined) {
    const dir = String(args.direction ?? 'incoming')
      .replace(/^in$/, 'incoming')
      .replace(/^out$/, 'outgoing');
    const v = POLICY_VAR[dir];
    L.push(
      `if [ "$(conf_get ${v} /etc/default/ufw)" != ${POLICY_VAL[String(policy)]} ]; then act ${quote(`set default ${dir} policy ${String(policy)}`)} default ${quote(String(policy))} ${dir}; fi`,
    );
  }
  if (args.rule !== undefined) {
    const w = ruleWords(args);
    const del = w[0] === 'delete';
    const words = w.map(quote).join(' ');
    L.push(`if needed ${words}; then act ${quote(`${del ? 'delete' : 'add'} rule: ${(del ? w.slice(1) : w).join(' ')}`)} ${words}; fi`);
  } else if (args.delete !== undefined || args.insert !== undefined) {
    throw new ModuleArgError('delete and insert apply to a rule: give rule too', 'rule');
  }
  if (state === 'enabled') L.push('if [ $active = no ]; then act "enable ufw" --force enable; active=yes; fi');
  if (state === 'disabled') L.push('if [ $active = yes ]; then act "disable ufw" --force disable; active=no; fi');
  if (state === 'reloaded') L.push('if [ $active = yes ]; then act "reload ufw" reload; fi');
  L.push(FINISH);
  return L.join('\n') + '\n';
}

const ufw: ModuleDef = { name: 'ufw', aliases: ['community.general.ufw'], schema, compile };
export default ufw;
