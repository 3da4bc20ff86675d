import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  name: { type: 'str', required: true },
  gid: { type: 'int' },
  system: { type: 'bool', default: false },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
} as const;

/**
 * Group presence and gid. In check mode the predicted state ("group:NAME" present/absent) is
 * read first and written after, so a later user task in the same run sees the group.
 */
function compile(p: Params<typeof args>): string {
  const name = p.name;
  if (!/^[^:\s,]+$/.test(name) || name.startsWith('-')) {
    throw new ModuleArgError(`invalid group name ${JSON.stringify(name)}: no ':', ',', spaces or leading '-'`, 'name');
  }
  const state = p.state;
  const gid = p.gid === undefined ? '' : String(p.gid);
  const q = quote(name);
  const lines = [
    `# group ${JSON.stringify(name)} state=${state}`,
    `name=${q}`,
    'chom_getentv cur group "$name" || true',
    'exists=absent; [ -n "$cur" ] && exists=present',
    'if chom_check; then p=$(chom_state_get "group:$name" || true); [ -n "$p" ] && exists=$p; fi',
  ];
  if (state === 'absent') {
    lines.push(
      'if [ "$exists" = absent ]; then chom_ok "group $name does not exist"; return 0; fi',
      'if chom_check; then chom_state_set "group:$name" absent; chom_changed "would remove group $name"; return 0; fi',
      'groupdel "$name" || chom_fail "groupdel $name failed"',
      'chom_changed "removed group $name"',
    );
    return lines.join('\n') + '\n';
  }
  const addOpts = [gid ? `-g ${quote(gid)}` : '', p.system ? '-r' : ''].filter(Boolean).join(' ');
  lines.push(
    'if [ "$exists" = absent ]; then',
    '  if chom_check; then chom_state_set "group:$name" present; chom_changed "would create group $name' +
      (gid ? ` (gid ${gid})` : '') +
      '"; return 0; fi',
    // Rollback: groupdel, after putting back what groupadd rewrites as a side effect.
    '  chom_snapshot /etc/group- /etc/gshadow-',
    '  chom_journal group "$name" groupdel',
    `  groupadd ${addOpts ? addOpts + ' ' : ''}-- "$name" || chom_fail "groupadd $name failed"`,
    '  chom_changed "created group $name (gid $(getent group "$name" | cut -d: -f3))"',
    '  return 0',
    'fi',
    // Predicted by an earlier check-mode task: nothing on the host to compare with yet.
    'if [ -z "$cur" ]; then chom_ok "group $name would exist (created by an earlier task)"; return 0; fi',
    'IFS=: read -r _ _ curgid _ <<<"$cur"',
  );
  if (gid) {
    lines.push(
      `want=${quote(gid)}`,
      'if [ "$curgid" != "$want" ]; then',
      '  if chom_check; then chom_changed "would change gid of group $name from $curgid to $want"; return 0; fi',
      '  groupmod -g "$want" -- "$name" || chom_fail "groupmod -g $want $name failed"',
      '  chom_changed "changed gid of group $name from $curgid to $want"',
      '  return 0',
      'fi',
    );
  }
  lines.push('chom_ok "group $name exists (gid $curgid)"');
  return lines.join('\n') + '\n';
}

export default defineModule({ name: 'group', args, compile });
