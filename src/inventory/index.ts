export type { ConnectionSpec, GroupEntry, HostEntry, Inventory, Vars } from './model.js';
export { loadInventory, hostVarsFiles } from './load.js';
export { selectHosts, hostEntry, splitPattern } from './patterns.js';
export { connectionFor } from './connection.js';
