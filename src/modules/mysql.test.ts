import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grantStatements } from './mysql_user.js';
import mysqlUser from './mysql_user.js';
import mysqlDb from './mysql_db.js';
import { getModule } from './index.js';

const ctx = { taskId: 1, taskName: 't', loc: { file: 'f', line: 1, col: 1 } };

test('priv strings become GRANT statements with GRANT OPTION split off', () => {
  assert.deepEqual(grantStatements('app.*:ALL,GRANT/logs.events:select, insert', "'u'@'h'"), [
    "GRANT ALL PRIVILEGES ON `app`.* TO 'u'@'h' WITH GRANT OPTION",
    "GRANT SELECT, INSERT ON `logs`.`events` TO 'u'@'h'",
  ]);
  assert.deepEqual(grantStatements({ '*.*': 'PROCESS,REPLICATION CLIENT' }, "'e'@'localhost'"), [
    "GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'e'@'localhost'",
  ]);
});

test('a priv entry that is not db.table:PRIVS is refused with the argument name', () => {
  assert.throws(() => grantStatements('app.*', 'x'), /priv entry "app\.\*" has no ":"/);
  assert.throws(() => grantStatements('app.*:ALL; DROP DATABASE x', 'x'), /not a comma-separated list/);
  assert.throws(() => grantStatements('a.b.c:ALL', 'x'), /not db\.table/);
});

test('the password travels only inside SQL on stdin, never as a client argument', () => {
  const s = mysqlUser.compile({ name: 'app', password: "pa'ss\\word", priv: 'app.*:ALL' }, ctx);
  for (const line of s.split('\n').filter((l) => l.includes('ss\\'))) {
    assert.match(line, /^\s*(chom_sql_quiet|same=\$\(chom_sql_quiet|.*else chom_sql_quiet) /, line);
  }
  assert.ok(s.includes("pa\\'\\''ss\\\\word"), 'quote and backslash are escaped for SQL, then for bash');
  assert.doesNotMatch(s, /mysql [^<]*pa/);
});

test('login_password is refused: the modules log in over the unix socket', () => {
  assert.throws(() => mysqlDb.compile({ name: 'x', login_password: 'p' }, ctx), /login_password is not supported/);
});

test('community.mysql names resolve to the modules', () => {
  assert.equal(getModule('community.mysql.mysql_user')?.name, 'mysql_user');
  assert.equal(getModule('mysql_db')?.name, 'mysql_db');
});
