import { quote } from '../shell/quote.js';
import { LOGIN_ARGS, clientPrelude, sqlId, sqlStr } from './mysql_common.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

const args = {
  name: { type: 'list', required: true, aliases: ['db'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  encoding: { type: 'str', default: '' },
  collation: { type: 'str', default: '' },
  ...LOGIN_ARGS,
} as const;

const CHARSET = /^[A-Za-z0-9_]+$/;

/**
 * community.mysql.mysql_db, states present and absent: a database exists (created with the
 * given encoding/collation, which are also corrected on an existing one) or does not.
 */
function compile(p: Params<typeof args>): string {
  const names = p.name;
  if (names.length === 0) throw new ModuleArgError('name needs at least one database', 'name');
  const state = p.state;
  const enc = p.encoding;
  const col = p.collation;
  if (enc !== '' && !CHARSET.test(enc)) throw new ModuleArgError(`encoding ${JSON.stringify(enc)} is not a character set name`, 'encoding');
  if (col !== '' && !CHARSET.test(col)) throw new ModuleArgError(`collation ${JSON.stringify(col)} is not a collation name`, 'collation');
  const L = [`# mysql_db ${JSON.stringify(names)} state=${state}`, clientPrelude(p), 'did=(); would=(); same=()'];
  for (const n of names) {
    const id = sqlId(n);
    L.push(
      `n=${quote(n)}`,
      `cur=$(chom_sql ${quote(`SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlStr(n)}`)}) || chom_fail "cannot read the databases"`,
    );
    if (state === 'absent') {
      L.push(
        'if [ -z "$cur" ]; then same+=("$n absent"); else',
        `  if chom_check; then would+=("drop $n"); else chom_sql ${quote(`DROP DATABASE ${id}`)} || chom_fail "DROP DATABASE $n failed"; did+=("dropped $n"); fi`,
        'fi',
      );
      continue;
    }
    const spec = `${enc ? ` CHARACTER SET ${enc}` : ''}${col ? ` COLLATE ${col}` : ''}`;
    L.push(
      'if [ -z "$cur" ]; then',
      `  if chom_check; then would+=("create $n"); else chom_sql ${quote(`CREATE DATABASE ${id}${spec}`)} || chom_fail "CREATE DATABASE $n failed"; did+=("created $n${spec}"); fi`,
      'else',
      "  curenc=${cur%%$'\\t'*}; curcol=${cur#*$'\\t'}; diff=\"\"",
      `  if [ -n ${quote(enc)} ] && [ "$curenc" != ${quote(enc)} ]; then diff+=" encoding $curenc -> "${quote(enc)}; fi`,
      `  if [ -n ${quote(col)} ] && [ "$curcol" != ${quote(col)} ]; then diff+=" collation $curcol -> "${quote(col)}; fi`,
      '  if [ -z "$diff" ]; then same+=("$n exists ($curenc, $curcol)")',
      `  elif chom_check; then would+=("alter $n:$diff")`,
      `  else chom_sql ${quote(`ALTER DATABASE ${id}${spec}`)} || chom_fail "ALTER DATABASE $n failed"; did+=("altered $n:$diff"); fi`,
      'fi',
    );
  }
  L.push(
    'if [ ${#did[@]} -gt 0 ]; then chom_changed "$(IFS=,; echo "${did[*]}")"',
    'elif [ ${#would[@]} -gt 0 ]; then chom_changed "would $(IFS=,; echo "${would[*]}")"',
    'else chom_ok "database $(IFS=,; echo "${same[*]}")"; fi',
  );
  return L.join('\n') + '\n';
}

export default defineModule({ name: 'mysql_db', aliases: ['community.mysql.mysql_db'], args, compile });
