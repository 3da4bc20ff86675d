/**
 * A lock file between lab commands (several labs may go up or down at once).
 * O_EXCL create is atomic; a lock whose holder died is taken over, so a crash never wedges the lab.
 */
import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { LabError } from '../errors.js';
import { sleep } from './exec.js';
import { processStart } from './proc.js';

export async function withLock<T>(path: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const me = `${process.pid} ${processStart(process.pid)}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, me);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (holderDead(path)) {
        try {
          unlinkSync(path);
        } catch {
          /* someone else removed it first */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new LabError(
          `timed out waiting for the lock ${path}`,
          `another chom-play lab command is running; wait for it, or remove ${path} if it is stale`,
        );
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(path, 'utf8') === me) unlinkSync(path);
    } catch {
      /* already gone */
    }
  }
}

function holderDead(path: string): boolean {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const [pid, start] = content.split(' ');
  if (!pid) return false; // being written right now
  return processStart(Number(pid)) !== start;
}
