import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { SourceLoc } from '../errors.js';
import { isVaultText, VAULT_HEADER } from './format.js';
import { decryptWithKeyring, markSecret } from './keyring.js';

/** Where decrypted values go to be redacted (the run's redactor). */
export interface SecretSink {
  add(secret: string): void;
}

/**
 * Lines shorter than this are not registered as secrets on their own: a vaulted file's short
 * lines ("}", "fi", "true", "root") would otherwise be masked in every line of output.
 */
const MIN_SECRET_LINE = 8;

const cache = new Map<string, Buffer | null>();

/** True when the file starts with the vault header (reads only its first bytes: sources may be large). */
function startsVaulted(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(VAULT_HEADER.length + 16);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return isVaultText(buf.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/**
 * A `copy` source encrypted with Ansible Vault: its plaintext (Ansible's copy decrypts such
 * files by default), or undefined when the file is not vaulted. Decrypted once per file
 * version for the whole run (PBKDF2 costs ~10 ms; every host copies the same file). The
 * content and each of its longer lines are registered as secrets, so output masks them and a
 * --diff of the destination never shows its old lines (see host-run's secret-bearing files).
 */
export function readVaultedSource(path: string, where: string, sink: SecretSink, loc?: SourceLoc): Buffer | undefined {
  const st = statSync(path);
  const key = `${path}\0${st.mtimeMs}\0${st.size}`;
  let plain = cache.get(key);
  if (plain === undefined) {
    plain = startsVaulted(path) ? decryptWithKeyring(readFileSync(path, 'latin1'), where, loc) : null;
    cache.set(key, plain);
  }
  if (plain === null) return undefined;
  const text = plain.toString('utf8');
  for (const v of [text, ...text.split(/\r?\n/).filter((l) => l.trim().length >= MIN_SECRET_LINE)]) {
    sink.add(v);
    markSecret(v);
  }
  return plain;
}
