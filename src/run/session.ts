import type { Inventory } from '../inventory/model.js';
import { ConnectionPool, type PoolOptions } from './connections.js';

/**
 * The one owner of a command's SSH connections. Every command that connects does so inside
 * `withSessions`, and every way out of it (result, input error found after connecting,
 * interruption, internal error) closes them all, including ones still being opened, so the
 * process can exit with its code instead of waiting on open sockets.
 */
export async function withSessions<T>(inventory: Inventory, opts: PoolOptions, fn: (pool: ConnectionPool) => Promise<T>): Promise<T> {
  const pool = new ConnectionPool(inventory, opts);
  try {
    return await fn(pool);
  } finally {
    pool.closeAll();
  }
}
