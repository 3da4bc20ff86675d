import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  name: { type: 'str', required: true },
  uid: { type: 'int' },
  group: { type: 'str' },
  // An empty string means "no supplementary groups" (absent: leave them alone).
  groups: { type: 'list' },
  append: { type: 'bool', default: false },
  shell: { type: 'str' },
  home: { type: 'str' },
  create_home: { type: 'bool', default: true, aliases: ['createhome'] },
  system: { type: 'bool', default: false },
  comment: { type: 'str' },
  password: { type: 'str' },
  update_password: { type: 'str', default: 'always', choices: ['always', 'on_create'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  remove: { type: 'bool', default: false },
} as const;

/** An account or group name usable on the command line of the shadow tools. */
function checkName(v: string, arg: string): string {
  if (!/^[^:\s,]+$/.test(v) || v.startsWith('-')) {
    throw new ModuleArgError(`invalid ${arg} ${JSON.stringify(v)}: no ':', ',', spaces or leading '-'`, arg);
  }
  return v;
}

function noColon(v: string, arg: string): string {
  if (/[:\n]/.test(v)) throw new ModuleArgError(`${arg} cannot contain ':' or a newline (it is a field of /etc/passwd)`, arg);
  return v;
}

/** `groups: [a, b]` or `groups: "a, b"`; an empty string means "no supplementary groups". */
function groupList(v: string[]): string[] {
  return v
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((g) => checkName(g, 'groups'));
}

/**
 * Account presence and attributes. Existing accounts are compared field by field and only the
 * differing fields are passed to one usermod. The password is an already-hashed value: it is
 * compared with /etc/shadow and never printed. In check mode "user:NAME" predicted state is
 * read and written (and "group:NAME" for the user's own group that useradd would create).
 */
function compile(p: Params<typeof args>): string {
  const name = checkName(p.name, 'name');
  const state = p.state;
  const L: string[] = [`# user ${JSON.stringify(name)} state=${state}`, `name=${quote(name)}`];
  L.push(
    'chom_getentv cur passwd "$name" || true',
    'exists=absent; [ -n "$cur" ] && exists=present',
    'if chom_check; then p=$(chom_state_get "user:$name" || true); [ -n "$p" ] && exists=$p; fi',
    // A group counts as present when it exists or an earlier check-mode task would create it.
    // The hash goes through stdin, never on a command line where ps could show it.
    'setpw() { printf "%s:%s\\n" "$name" "$pw" | chpasswd -e || chom_fail "setting the password of $name failed"; }',
    'group_known() { if chom_check; then local p; p=$(chom_state_get "group:$1" || true); [ -n "$p" ] && { [ "$p" = present ]; return; }; fi; getent group "$1" >/dev/null; }',
  );
  if (state === 'absent') {
    const remove = p.remove;
    L.push(
      'if [ "$exists" = absent ]; then chom_ok "user $name does not exist"; return 0; fi',
      `if chom_check; then chom_state_set "user:$name" absent; chom_changed "would remove user $name${remove ? ' and its home' : ''}"; return 0; fi`,
      // userdel -r warns (exit 12 on some versions) when the mail spool is missing: that is not a failure.
      `rc=0; userdel ${remove ? '-r ' : ''}-- "$name" || rc=$?`,
      'if [ "$rc" -ne 0 ] && getent passwd "$name" >/dev/null; then chom_fail "userdel $name failed (exit $rc)"; fi',
      `chom_changed "removed user $name${remove ? ' and its home' : ''}"`,
    );
    return L.join('\n') + '\n';
  }

  const uid = p.uid === undefined ? undefined : String(p.uid);
  const grp = p.group === undefined ? undefined : checkName(p.group, 'group');
  const groups = p.groups === undefined ? undefined : groupList(p.groups);
  const append = p.append;
  const shell = p.shell === undefined ? undefined : noColon(p.shell, 'shell');
  const home = p.home === undefined ? undefined : noColon(p.home, 'home');
  const comment = p.comment === undefined ? undefined : noColon(p.comment, 'comment');
  const password = p.password === undefined ? undefined : noColon(p.password, 'password');
  const createHome = p.create_home;
  const onCreate = p.update_password === 'on_create';

  // Groups the account needs: checked first so check mode fails exactly where useradd/usermod would.
  const needed = [...(grp && !/^[0-9]+$/.test(grp) ? [grp] : []), ...(groups ?? [])];
  for (const g of needed) {
    L.push(`group_known ${quote(g)} || chom_fail ${quote(`group ${g} does not exist (needed by user ${name})`)}`);
  }

  const add: string[] = [];
  if (uid !== undefined) add.push(`-u ${quote(uid)}`);
  if (grp !== undefined) add.push(`-g ${quote(grp)}`);
  if (groups && groups.length > 0) add.push(`-G ${quote(groups.join(','))}`);
  if (shell !== undefined) add.push(`-s ${quote(shell)}`);
  if (home !== undefined) add.push(`-d ${quote(home)}`);
  if (comment !== undefined) add.push(`-c ${quote(comment)}`);
  if (p.system) add.push('-r');
  add.push(createHome ? '-m' : '-M');
  L.push(
    'if [ "$exists" = absent ]; then',
    '  if chom_check; then',
    '    chom_state_set "user:$name" present',
    // useradd makes a group named after the user when no primary group is given (USERGROUPS_ENAB).
    grp === undefined ? '    group_known "$name" || chom_state_set "group:$name" present' : '    :',
    '    chom_changed "would create user $name"; return 0',
    '  fi',
    // Rollback: userdel (-r only for a home this task creates), after putting back the files
    // useradd rewrites as a side effect (/etc/passwd- ...), so the tree ends as it was.
    `  h=${home !== undefined ? quote(home) : '"$(useradd -D | sed -n \'s/^HOME=//p\')/$name"'}`,
    `  chom_snapshot /etc/passwd- /etc/shadow- /etc/group- /etc/gshadow- /etc/subuid /etc/subuid- /etc/subgid /etc/subgid-`,
    `  if ${createHome ? '! chom_exists "$h"' : 'false'}; then chom_journal user "$name" "userdel -r"; else chom_journal user "$name" userdel; fi`,
    `  useradd ${add.join(' ')} -- "$name" || chom_fail "useradd $name failed"`,
    ...(password !== undefined ? [`  pw=${quote(password)}; setpw`] : []),
    '  chom_changed "created user $name (uid $(id -u "$name"))"',
    '  return 0',
    'fi',
    'if [ -z "$cur" ]; then chom_ok "user $name would exist (created by an earlier task)"; return 0; fi',
    'IFS=: read -r _ _ curuid curgid curgecos curhome curshell <<<"$cur"',
    'mod=(); what=(); pw=""',
  );
  if (uid !== undefined) {
    L.push(`want=${quote(uid)}; [ "$curuid" = "$want" ] || { mod+=(-u "$want"); what+=("uid $curuid -> $want"); }`);
  }
  if (grp !== undefined) {
    L.push(
      `want=${quote(grp)}`,
      'chom_getentv gl group "$curgid" || true; curgname=${gl%%:*}',
      'if [ "$want" != "$curgid" ] && [ "$want" != "$curgname" ]; then mod+=(-g "$want"); what+=("group ${curgname:-$curgid} -> $want"); fi',
    );
  }
  if (groups !== undefined) {
    // Supplementary groups = groups whose member list names the user (the primary group is not listed there).
    L.push(
      'cursup=$(getent group | awk -F: -v u="$name" \'{ n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) print $1 }\' | sort -u)',
      `wantsup=$(printf '%s\\n' ${groups.map(quote).join(' ')} | sed '/^$/d' | sort -u)`,
      'missing=$(comm -13 <(printf "%s\\n" "$cursup" | sed "/^$/d") <(printf "%s\\n" "$wantsup" | sed "/^$/d") | paste -sd, -)',
      'extra=$(comm -23 <(printf "%s\\n" "$cursup" | sed "/^$/d") <(printf "%s\\n" "$wantsup" | sed "/^$/d") | paste -sd, -)',
    );
    if (append) {
      L.push('[ -z "$missing" ] || { mod+=(-a -G "$missing"); what+=("added to groups $missing"); }');
    } else {
      L.push(
        'if [ -n "$missing$extra" ]; then mod+=(-G "$(printf "%s\\n" "$wantsup" | sed "/^$/d" | paste -sd, -)"); what+=("groups ${missing:+added $missing}${missing:+${extra:+, }}${extra:+removed $extra}"); fi',
      );
    }
  }
  if (shell !== undefined)
    L.push(`want=${quote(shell)}; [ "$curshell" = "$want" ] || { mod+=(-s "$want"); what+=("shell $curshell -> $want"); }`);
  if (home !== undefined)
    L.push(`want=${quote(home)}; [ "$curhome" = "$want" ] || { mod+=(-d "$want"); what+=("home $curhome -> $want"); }`);
  if (comment !== undefined) L.push(`want=${quote(comment)}; [ "$curgecos" = "$want" ] || { mod+=(-c "$want"); what+=("comment"); }`);
  if (password !== undefined && !onCreate) {
    L.push(
      `want=${quote(password)}`,
      'chom_getentv sl shadow "$name" || true; IFS=: read -r _ curpw _ <<<"$sl"',
      '[ "$curpw" = "$want" ] || { pw=$want; what+=("password"); }',
    );
  }
  L.push(
    'if [ ${#what[@]} -eq 0 ]; then chom_ok "user $name is as wanted (uid $curuid)"; return 0; fi',
    'msg=$(printf "%s; " "${what[@]}"); msg=${msg%; }',
    'if chom_check; then chom_changed "would change user $name: $msg"; return 0; fi',
    'if [ ${#mod[@]} -gt 0 ]; then usermod "${mod[@]}" -- "$name" || chom_fail "usermod $name failed ($msg)"; fi',
    '[ -z "$pw" ] || setpw',
    'chom_changed "changed user $name: $msg"',
  );
  return L.join('\n') + '\n';
}

const user = defineModule({ name: 'user', args, compile });
export default user;
