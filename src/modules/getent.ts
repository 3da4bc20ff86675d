import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's getent: reads a name service database with getent(1) and returns
 * ansible_facts.getent_DATABASE = {first field: [other fields]} (split on ":" for passwd, shadow,
 * group and gshadow, else on whitespace, unless `split` says otherwise). A missing key fails
 * the task (fail_key, the default) or maps to null. The facts reach the controller (-o json, the
 * run record) and `register` holds them; later tasks reading getent_DATABASE need a run-time
 * value, which the planner refuses at file:line:col (src/plan/runtime-values.ts).
 */
const COLON = ['passwd', 'shadow', 'group', 'gshadow'];

export default defineModule({
  name: 'getent',
  args: {
    database: { type: 'str', required: true },
    key: { type: 'str' },
    split: { type: 'str' },
    fail_key: { type: 'bool', default: true },
    service: { type: 'str' },
  },
  compile: (p) => {
    if (!/^[a-z_]+$/.test(p.database))
      throw new ModuleArgError(`"${p.database}" is not a database name (passwd, group, hosts, services, ...)`, 'database');
    if (p.key !== undefined && p.key.includes('\n')) throw new ModuleArgError('key cannot contain a newline', 'key');
    const split = p.split ?? (COLON.includes(p.database) ? ':' : '');
    const keys = p.key === undefined ? [] : p.key.split(',');
    const cmd = ['getent', ...(p.service ? ['-s', quote(p.service)] : []), quote(p.database), ...keys.map((k) => quote(k))].join(' ');
    return (
      [
        `db=${quote(p.database)}; sep=${quote(split)}; keys=(${keys.map((k) => quote(k)).join(' ')})`,
        'set +e; out=$(' + cmd + ' 2>&1); rc=$?; set -e',
        'case $rc in',
        '  0) ;;',
        '  1) chom_fail "Missing arguments, or database unknown.";;',
        `  2) ${p.fail_key ? 'chom_fail "One or more supplied key could not be found in the database.";;' : ';;'}`,
        '  3) chom_fail "Enumeration not supported on this database.";;',
        '  *) chom_fail "getent $db failed (exit code $rc): $out";;',
        'esac',
        'esc() { local s=$1; s=${s//\\\\/\\\\\\\\}; s=${s//\\"/\\\\\\"}; s=${s//$\'\\t\'/\\\\t}; printf -v "$2" \'"%s"\' "$s"; }',
        'json=""; n=0; seen=" "',
        'if [ "$rc" = 0 ]; then',
        '  while IFS= read -r line; do',
        '    [ -n "$line" ] || continue',
        '    if [ -n "$sep" ]; then IFS="$sep" read -r -a f <<<"$line"; [[ $line == *"$sep" ]] && f+=(""); else read -r -a f <<<"$line"; fi',
        '    [ "${#f[@]}" -gt 0 ] || continue',
        // Ansible keeps the first record of a duplicated key.
        '    [[ $seen == *" ${f[0]} "* ]] && continue; seen+="${f[0]} "; n=$((n + 1))',
        '    esc "${f[0]}" k; v=""; for x in "${f[@]:1}"; do esc "$x" e; v+="${v:+,}$e"; done',
        '    json+="${json:+,}$k:[$v]"',
        '  done <<<"$out"',
        'else',
        '  for x in "${keys[@]}"; do esc "$x" k; json+="${json:+,}$k:null"; done',
        'fi',
        'chom_ret j:ansible_facts "{\\"getent_$db\\":{$json}}"',
        'chom_ok "getent $db: $n entries"',
      ].join('\n') + '\n'
    );
  },
});
