import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, type SourceLoc } from '../errors.js';
import type { ConnectionSpec, Inventory, Vars } from './model.js';
import { parseBool as toBool } from '../bool.js';

const DEFAULT_PORT = 22;
const DEFAULT_TIMEOUT_S = 10;
// Ansible's transports that mean "SSH" for us; anything else we cannot honour.
const SSH_ALIASES = ['ssh', 'smart', 'paramiko', 'paramiko_ssh'];

/**
 * How to reach `host`, from its final variables (Ansible's names, with the old ansible_ssh_*
 * spellings as fallbacks). Relative key and known_hosts paths are relative to the inventory dir.
 */
export function connectionFor(inv: Inventory, host: string, vars: Vars): ConnectionSpec {
  // Point at the inventory only when the value really came from it (a play may override it).
  const where = (name: string): SourceLoc | undefined => {
    const entry = inv.hosts.get(host);
    return entry && entry.vars[name] === vars[name] ? entry.varLocs?.[name] : undefined;
  };
  const pick = (...names: string[]): { name: string; value: unknown } | undefined => {
    for (const name of names) if (vars[name] !== undefined && vars[name] !== null) return { name, value: vars[name] };
    return undefined;
  };
  const bad = (name: string, value: unknown, expected: string): InputError =>
    new InputError(`host "${host}": ${name} is ${JSON.stringify(value)}, expected ${expected}`, where(name), `fix ${name} in the inventory or the variables that set it`);

  const address = pick('ansible_host', 'ansible_ssh_host');
  const portVar = pick('ansible_port', 'ansible_ssh_port');
  const userVar = pick('ansible_user', 'ansible_ssh_user');
  const connVar = pick('ansible_connection');
  const keyVar = pick('ansible_ssh_private_key_file', 'ansible_private_key_file');
  const passVar = pick('ansible_password', 'ansible_ssh_pass');
  const timeoutVar = pick('ansible_timeout', 'ansible_ssh_timeout');
  const becomeVar = pick('ansible_become', 'ansible_sudo');
  const knownVar = pick('chom_known_hosts_file');

  let connection: 'ssh' | 'local' = host === 'localhost' ? 'local' : 'ssh';
  if (connVar) {
    const c = String(connVar.value);
    if (c === 'local') connection = 'local';
    else if (SSH_ALIASES.includes(c)) connection = 'ssh';
    else throw bad(connVar.name, connVar.value, '"ssh" or "local" (other Ansible connection plugins are not supported)');
  }

  let port = DEFAULT_PORT;
  if (portVar) {
    port = toInt(portVar.value);
    if (!(port >= 1 && port <= 65535)) throw bad(portVar.name, portVar.value, 'a port number from 1 to 65535');
  }

  let timeoutS = DEFAULT_TIMEOUT_S;
  if (timeoutVar) {
    timeoutS = Number(timeoutVar.value);
    if (typeof timeoutVar.value === 'boolean' || !(timeoutS > 0)) throw bad(timeoutVar.name, timeoutVar.value, 'a number of seconds above 0');
  }

  let become = false;
  if (becomeVar) {
    const b = toBool(becomeVar.value);
    if (b === undefined) throw bad(becomeVar.name, becomeVar.value, 'true or false');
    become = b;
  }

  const spec: ConnectionSpec = {
    host,
    address: address ? String(address.value) : host,
    port,
    user: userVar ? String(userVar.value) : currentUser(),
    connection,
    knownHostsFile: knownVar ? pathFrom(inv.dir, String(knownVar.value)) : join(homedir(), '.ssh', 'known_hosts'),
    become,
    connectTimeoutMs: Math.round(timeoutS * 1000),
  };
  if (keyVar) spec.privateKeyFile = pathFrom(inv.dir, String(keyVar.value));
  if (passVar) spec.password = String(passVar.value);
  return spec;
}

/** `~/x` -> home, relative -> against the inventory dir, absolute as is. */
function pathFrom(dir: string, p: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(dir, p);
}

function toInt(v: unknown): number {
  if (typeof v === 'number') return Number.isInteger(v) ? v : NaN;
  if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
  return NaN;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // userInfo() throws when the uid has no passwd entry (some containers).
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}
