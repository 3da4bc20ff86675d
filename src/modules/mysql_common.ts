import { quote } from '../shell/quote.js';
import { ModuleArgError } from './types.js';

/**
 * Shared by mysql_db and mysql_user. The client logs in as root over the unix socket
 * (Debian's MariaDB: root is authenticated by unix_socket, so no password exists to leak).
 * SQL always travels on the client's stdin (a here-string), never on its command line, so a
 * password in a statement is not visible in `ps`; errors are reduced to MariaDB's error code
 * line so a statement with a password never reaches the task's output.
 */
export const LOGIN_ARGS = {
  login_unix_socket: { type: 'str' },
  login_user: { type: 'str', default: 'root' },
  /** Refused (see clientPrelude); declared so the message says why instead of "unknown argument". */
  login_password: { type: 'str' },
  check_implicit_admin: { type: 'bool', default: false },
} as const;

export interface LoginParams {
  login_unix_socket?: string;
  login_user: string;
  login_password?: string;
}

/** A string literal in MariaDB's default sql_mode: backslash and quote escaped. */
export function sqlStr(v: string): string {
  return "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0') + "'";
}

/** An identifier in backquotes (a backquote inside is doubled). */
export function sqlId(v: string): string {
  if (v === '') throw new ModuleArgError('an empty database or user name is not allowed');
  return '`' + v.replace(/`/g, '``') + '`';
}

/**
 * Bash that defines `chom_sql` (run SQL from $1 on stdin, print tab-separated rows) and
 * `chom_sql_quiet` (same, but on error only "ERROR nnnn" reaches stderr: for statements
 * holding a password). Fails clearly when no client or no server answers.
 */
export function clientPrelude(p: LoginParams): string {
  const sock = p.login_unix_socket ?? '';
  const user = p.login_user || 'root';
  if (p.login_password !== undefined)
    throw new ModuleArgError(
      'login_password is not supported: chom-play logs in over the unix socket as a user MariaDB authenticates by unix_socket (root on Debian)',
      'login_password',
    );
  const opts = ['--batch', '--skip-column-names', `--user=${quote(user)}`];
  if (sock !== '') opts.push(`--socket=${quote(sock)}`);
  return [
    // Check mode on a host where an earlier task would install or start the server: nothing to compare with yet.
    'if chom_check && { ! command -v mysql >/dev/null 2>&1 || ! mysql --user=root <<<"SELECT 1" >/dev/null 2>&1; }; then chom_changed "would apply once MariaDB is installed and running (it is not yet)"; return 0; fi',
    'command -v mysql >/dev/null 2>&1 || chom_fail "no mysql client on this host: install mariadb-client (or mariadb-server) first"',
    `chom_sql() { mysql ${opts.join(' ')} <<<"$1"; }`,
    // Rows to stdout; on error only "ERROR nnnn (state)" to stderr, never the statement.
    `chom_sql_quiet() { local e rc=0; { e=$(mysql ${opts.join(' ')} <<<"$1" 2>&1 1>&3 3>&-) || rc=$?; } 3>&1; [ "$rc" = 0 ] && return 0; printf '%s\\n' "$e" | grep -o '^ERROR [0-9]* ([0-9A-Z]*)' >&2 || true; return 1; }`,
    'chom_sql "SELECT 1" >/dev/null || chom_fail "cannot connect to MariaDB/MySQL over its unix socket: is the server running?"',
  ].join('\n');
}
