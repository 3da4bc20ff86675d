// One import for both MariaDB modules, so the registry (src/modules/index.ts) needs one line.
export { default as mysqlDb } from './mysql_db.js';
export { default as mysqlUser } from './mysql_user.js';
