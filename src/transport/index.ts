import type { ConnectionSpec } from '../inventory/model.js';
import { LocalConnection } from './local.js';
import { connectSsh, type SshOptions } from './ssh.js';
import type { Connection } from './types.js';

export type { Connection, RunOptions, RunResult } from './types.js';

export async function connect(spec: ConnectionSpec, opts: SshOptions = {}): Promise<Connection> {
  if (spec.connection === 'local') return new LocalConnection(spec.host);
  return connectSsh(spec, opts);
}
