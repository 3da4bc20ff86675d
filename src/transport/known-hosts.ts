import { createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One public host key from a known_hosts file. */
export interface KnownKey {
  type: string;
  key: Buffer;
}

/** How a host's presented key compares with what known_hosts says. */
export type HostKeyVerdict = 'match' | 'unknown' | 'changed' | 'revoked';

/** OpenSSH writes non-default ports as [host]:port. */
export function hostToken(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/**
 * Keys recorded for host:port in an OpenSSH known_hosts file: plain names, comma lists,
 * [host]:port, hashed |1|salt|hash entries and @revoked markers. Wildcard patterns are
 * not honoured (never trust more than the exact name).
 */
export function keysFor(file: string, address: string, port: number): { keys: KnownKey[]; revoked: KnownKey[] } {
  const keys: KnownKey[] = [];
  const revoked: KnownKey[] = [];
  if (!existsSync(file)) return { keys, revoked };
  const token = hostToken(address, port);
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let marker = '';
    if (parts[0].startsWith('@')) marker = parts.shift()!;
    if (parts.length < 3) continue;
    const [hosts, type, b64] = parts;
    if (!hosts.split(',').some((h) => hostMatches(h, token))) continue;
    const entry = { type, key: Buffer.from(b64, 'base64') };
    if (marker === '@revoked') revoked.push(entry);
    else if (marker === '') keys.push(entry);
  }
  return { keys, revoked };
}

function hostMatches(pattern: string, token: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
    return mac === hash;
  }
  return pattern === token;
}

export function verdict(presented: Buffer, known: { keys: KnownKey[]; revoked: KnownKey[] }): HostKeyVerdict {
  if (known.revoked.some((k) => k.key.equals(presented))) return 'revoked';
  if (known.keys.some((k) => k.key.equals(presented))) return 'match';
  return known.keys.length === 0 ? 'unknown' : 'changed';
}

/** The key type name inside an SSH public key blob (first length-prefixed string). */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** Trust on first use (--accept-new-host-keys): record the key like OpenSSH would. */
export function remember(file: string, address: string, port: number, blob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  appendFileSync(file, `${hostToken(address, port)} ${keyType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}
