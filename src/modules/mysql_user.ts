import { quote } from '../shell/quote.js';
import { LOGIN_ARGS, clientPrelude, sqlId, sqlStr } from './mysql_common.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  // '' is the anonymous user (state: absent removes it, as in community.mysql).
  name: { type: 'str', required: true, aliases: ['user'] },
  password: { type: 'str' },
  host: { type: 'str', default: 'localhost' },
  priv: { type: 'raw' },
  append_privs: { type: 'bool', default: false },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  update_password: { type: 'str', default: 'always', choices: ['always', 'on_create'] },
  plugin: { type: 'str', default: '' },
  ...LOGIN_ARGS,
} as const;

const PRIV_WORDS = /^[A-Za-z ]+(\([A-Za-z0-9_, ]+\))?$/;

/** "db.*:ALL,GRANT/other.t:SELECT" (or community.mysql's dict form) -> GRANT statements. */
export function grantStatements(priv: unknown, who: string): string[] {
  const entries: Array<[string, string]> = [];
  if (typeof priv === 'string') {
    for (const part of priv.split('/').filter((p) => p.trim() !== '')) {
      const i = part.lastIndexOf(':');
      if (i < 0) throw new ModuleArgError(`priv entry ${JSON.stringify(part)} has no ":" (write db.*:SELECT,INSERT)`, 'priv');
      entries.push([part.slice(0, i), part.slice(i + 1)]);
    }
  } else if (priv !== null && typeof priv === 'object') {
    for (const [k, v] of Object.entries(priv)) entries.push([k, String(v)]);
  }
  return entries.map(([obj, privs]) => {
    const m = /^\s*(\*|`?[^`.]+`?)\.(\*|`?[^`.]+`?)\s*$/.exec(obj);
    if (!m) throw new ModuleArgError(`priv object ${JSON.stringify(obj)} is not db.table, db.* or *.*`, 'priv');
    const part = (p: string) => (p === '*' ? '*' : sqlId(p.replace(/^`|`$/g, '')));
    const list = privs
      .split(',')
      .map((p) => p.trim().toUpperCase())
      .filter((p) => p !== '');
    if (list.length === 0 || !list.every((p) => PRIV_WORDS.test(p)))
      throw new ModuleArgError(`privileges ${JSON.stringify(privs)} for ${obj} are not a comma-separated list like SELECT,INSERT`, 'priv');
    const grantOpt = list.includes('GRANT');
    const rest = list.filter((p) => p !== 'GRANT').map((p) => (p === 'ALL' ? 'ALL PRIVILEGES' : p));
    return `GRANT ${rest.length ? rest.join(', ') : 'USAGE'} ON ${part(m[1])}.${part(m[2])} TO ${who}${grantOpt ? ' WITH GRANT OPTION' : ''}`;
  });
}

/**
 * community.mysql.mysql_user: a user@host exists with a password and privileges, or does not.
 * The password is compared on the server (PASSWORD() of the wanted value against the stored
 * hash) and travels only inside SQL on the client's stdin. Privileges are compared as the
 * server lists them (SHOW GRANTS): applied, and reported changed only if that list changed;
 * in check mode they are applied to a throwaway user that is dropped again.
 */
function compile(p: Params<typeof args>): string {
  const name = p.name;
  const host = p.host;
  const state = p.state;
  const hasPw = p.password !== undefined;
  const pw = p.password ?? '';
  const append = p.append_privs;
  const onCreate = p.update_password === 'on_create';
  const who = `${sqlStr(name)}@${sqlStr(host)}`;
  const label = `${name}@${host}`;
  const L = [`# mysql_user ${JSON.stringify(label)} state=${state}`, clientPrelude(p), `label=${quote(label)}`];
  L.push(
    `exists=$(chom_sql ${quote(`SELECT COUNT(*) FROM mysql.user WHERE User = ${sqlStr(name)} AND Host = ${sqlStr(host)}`)}) || chom_fail "cannot read mysql.user"`,
  );
  if (state === 'absent') {
    L.push(
      'if [ "$exists" = 0 ]; then chom_ok "user $label does not exist"; return 0; fi',
      'if chom_check; then chom_changed "would drop user $label"; return 0; fi',
      `chom_sql ${quote(`DROP USER ${who}`)} || chom_fail "DROP USER $label failed"`,
      'chom_changed "dropped user $label"',
    );
    return L.join('\n') + '\n';
  }
  const grants = p.priv === undefined || p.priv === null ? undefined : grantStatements(p.priv, who);
  const plugin = p.plugin;
  if (plugin !== '' && !/^[a-z_]+$/.test(plugin))
    throw new ModuleArgError(`plugin ${JSON.stringify(plugin)} is not an authentication plugin name`, 'plugin');
  if (plugin !== '' && hasPw)
    throw new ModuleArgError(
      'password and plugin cannot be used together (plugin authenticates without a password, e.g. unix_socket)',
      'plugin',
    );
  if (state === 'present' && name === '')
    throw new ModuleArgError('the anonymous user (name "") can only be removed (state: absent)', 'name');
  const ident = hasPw ? ` IDENTIFIED BY ${sqlStr(pw)}` : plugin !== '' ? ` IDENTIFIED VIA ${plugin}` : '';
  L.push(
    'did=()',
    'if [ "$exists" = 0 ]; then',
    '  if chom_check; then chom_changed "would create user $label"; return 0; fi',
    `  chom_sql_quiet ${quote(`CREATE USER ${who}${ident}`)} || chom_fail "CREATE USER $label failed"`,
    '  did+=("created user $label")',
  );
  if (hasPw && !onCreate) {
    L.push(
      'else',
      `  same=$(chom_sql_quiet ${quote(`SELECT COUNT(*) FROM mysql.user WHERE User = ${sqlStr(name)} AND Host = ${sqlStr(host)} AND authentication_string = PASSWORD(${sqlStr(pw)})`)}) || chom_fail "cannot compare the password of $label"`,
      '  if [ "$same" = 0 ]; then',
      '    if chom_check; then did+=("would change the password of $label")',
      `    else chom_sql_quiet ${quote(`ALTER USER ${who}${ident}`)} || chom_fail "ALTER USER $label (password) failed"; did+=("changed the password of $label"); fi`,
      '  fi',
    );
  }
  if (plugin !== '') {
    L.push(
      'else',
      `  curplugin=$(chom_sql ${quote(`SELECT plugin FROM mysql.user WHERE User = ${sqlStr(name)} AND Host = ${sqlStr(host)}`)}) || chom_fail "cannot read the plugin of $label"`,
      `  if [ "$curplugin" != ${quote(plugin)} ]; then`,
      `    if chom_check; then did+=("would authenticate $label by ${plugin} only (now $curplugin)")`,
      `    else chom_sql ${quote(`ALTER USER ${who}${ident}`)} || chom_fail "ALTER USER $label (plugin) failed"; did+=("$label is authenticated by ${plugin} only (was $curplugin)"); fi`,
      '  fi',
    );
  }
  L.push('fi');
  if (grants) {
    const revoke = append ? [] : [`REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${who}`];
    const apply = [...revoke, ...grants].join(';\n');
    const tmpWho = `${sqlStr('chom_check_tmp')}@${sqlStr(host)}`;
    const tmpApply = grantStatements(p.priv, tmpWho).join(';\n');
    // SHOW GRANTS without the password part, so only privileges are compared.
    const show = (w: string) => `chom_sql ${quote(`SHOW GRANTS FOR ${w}`)} | sed 's/ IDENTIFIED BY .*//' | sort`;
    L.push(
      `before=$(${show(who)}) || chom_fail "SHOW GRANTS for $label failed"`,
      'if chom_check; then',
      `  chom_sql ${quote(`DROP USER IF EXISTS ${tmpWho}; CREATE USER ${tmpWho}; ${tmpApply}`)} >/dev/null || chom_fail "cannot try the privileges on a throwaway user"`,
      `  want=$(${show(tmpWho)}); want=\${want//'\`chom_check_tmp\`@'/'\`?\`@'}; n=${quote(name.replace(/`/g, '``'))}; before=\${before//"\\\`$n\\\`@"/'\`?\`@'}`,
      `  chom_sql ${quote(`DROP USER ${tmpWho}`)} >/dev/null || true`,
      append
        ? '  missing=$(comm -23 <(printf "%s\\n" "$want" | grep -v "^GRANT USAGE ON \\*\\.\\*") <(printf "%s\\n" "$before")); if [ -n "$missing" ]; then did+=("would grant privileges to $label"); fi'
        : '  if [ "$want" != "$before" ]; then did+=("would set the privileges of $label"); fi',
      'else',
      `  chom_sql ${quote(apply)} || chom_fail "setting the privileges of $label failed"`,
      `  after=$(${show(who)})`,
      '  if [ "$after" != "$before" ]; then did+=("privileges of $label now: $(printf %s "$after" | grep -v "^GRANT USAGE ON \\*\\.\\*" | paste -sd";" -)"); fi',
      'fi',
    );
  }
  L.push(
    'if [ ${#did[@]} -gt 0 ]; then chom_changed "$(IFS=,; echo "${did[*]}")"; else chom_ok "user $label exists with the wanted password and privileges"; fi',
  );
  return L.join('\n') + '\n';
}

export default defineModule({ name: 'mysql_user', aliases: ['community.mysql.mysql_user'], args, compile });
