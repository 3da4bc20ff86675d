import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/**
 * Large or binary `copy` sources are not inlined into the script (base64 would bloat it and
 * the event stream): they are uploaded once over SFTP on the host's connection to a staging
 * path named by their sha256, and the script moves them into place only when dest differs.
 */
export const STAGE_THRESHOLD = 1024 * 1024;

export interface Upload {
  local: string;
  remote: string;
  sha256: string;
  size: number;
}

/** Root stages in /var/cache (kept: a re-run uploads nothing); other users in their own /var/tmp dir. */
export function stageDirFor(user: string): string {
  return user === 'root' ? '/var/cache/chom-play/stage' : `/var/tmp/chom-play-stage-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

export interface SourceFile {
  sha256: string;
  size: number;
  /** The bytes, only for files that are inlined. */
  bytes?: Buffer;
}

/** Reads (once per run, shared by all hosts) a copy source and decides whether it is staged. */
export function readSource(path: string, cache: Map<string, SourceFile>): SourceFile {
  const mtime = statSync(path).mtimeMs;
  const key = `${path}\0${mtime}`;
  let f = cache.get(key);
  if (!f) {
    const bytes = readFileSync(path);
    const staged = bytes.length > STAGE_THRESHOLD || bytes.subarray(0, 8000).includes(0);
    f = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, bytes: staged ? undefined : bytes };
    cache.set(key, f);
  }
  return f;
}
