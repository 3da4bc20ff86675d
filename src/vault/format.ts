import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Ansible Vault's file format (VaultAES256), byte for byte what ansible-vault writes and reads:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";VAULT_ID")
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) )   wrapped at 80 columns
 *
 * Keys: PBKDF2-HMAC-SHA256(password, salt 32 bytes, 10000 rounds) -> 80 bytes =
 * AES-256 key (32) | HMAC-SHA256 key (32) | CTR counter block (16). The plaintext is PKCS#7
 * padded to 16 bytes before AES-CTR (Ansible's choice; CTR needs none, but it is the format).
 */
export const VAULT_HEADER = '$ANSIBLE_VAULT';
const ROUNDS = 10000;

export class VaultFormatError extends Error {}

export interface VaultEnvelope {
  version: '1.1' | '1.2';
  cipher: string;
  vaultId?: string;
  body: string;
}

export function isVaultText(text: string | Buffer): boolean {
  const s = typeof text === 'string' ? text : text.subarray(0, VAULT_HEADER.length).toString('latin1');
  return s.trimStart().startsWith(VAULT_HEADER + ';');
}

export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text.trim().split(/\r?\n/);
  const head = lines[0].trim().split(';');
  if (head[0] !== VAULT_HEADER || head.length < 3)
    throw new VaultFormatError('not an Ansible Vault text (the first line must be $ANSIBLE_VAULT;1.1;AES256)');
  const version = head[1];
  if (version !== '1.1' && version !== '1.2')
    throw new VaultFormatError(`vault format version ${version} is not supported (1.1 and 1.2 are)`);
  if (head[2] !== 'AES256') throw new VaultFormatError(`vault cipher ${head[2]} is not supported (AES256 is)`);
  const env: VaultEnvelope = {
    version,
    cipher: head[2],
    body: lines
      .slice(1)
      .map((l) => l.trim())
      .join(''),
  };
  if (version === '1.2' && head[3]) env.vaultId = head[3];
  return env;
}

function keys(password: Buffer, salt: Buffer): { key: Buffer; hmacKey: Buffer; iv: Buffer } {
  const d = pbkdf2Sync(password, salt, ROUNDS, 80, 'sha256');
  return { key: d.subarray(0, 32), hmacKey: d.subarray(32, 64), iv: d.subarray(64, 80) };
}

function unhex(s: string, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new VaultFormatError(`the vault ${what} is not hexadecimal`);
  return Buffer.from(s, 'hex');
}

/** Encrypts to the full vault text (header + body + final newline), as ansible-vault does. */
export function encryptVault(
  plaintext: Buffer | string,
  password: Buffer | string,
  vaultId?: string,
  salt: Buffer = randomBytes(32),
): string {
  const data = Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8');
  const { key, hmacKey, iv } = keys(Buffer.from(password), salt);
  const pad = 16 - (data.length % 16);
  const padded = Buffer.concat([data, Buffer.alloc(pad, pad)]);
  const c = createCipheriv('aes-256-ctr', key, iv);
  const ct = Buffer.concat([c.update(padded), c.final()]);
  const mac = createHmac('sha256', hmacKey).update(ct).digest('hex');
  const inner = Buffer.from(`${salt.toString('hex')}\n${mac}\n${ct.toString('hex')}`, 'latin1').toString('hex');
  const useId = vaultId !== undefined && vaultId !== '' && vaultId !== 'default';
  const header = useId ? `${VAULT_HEADER};1.2;AES256;${vaultId}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = inner.match(/.{1,80}/g) ?? [];
  return `${header}\n${lines.join('\n')}\n`;
}

/** Decrypts a vault text with one password; null when the password does not match (HMAC). */
export function decryptVault(text: string, password: Buffer | string): Buffer | null {
  const env = parseEnvelope(text);
  const inner = unhex(env.body, 'body').toString('latin1').split('\n');
  if (inner.length !== 3) throw new VaultFormatError('the vault body does not hold salt, HMAC and ciphertext');
  const salt = unhex(inner[0], 'salt');
  const mac = unhex(inner[1], 'HMAC');
  const ct = unhex(inner[2], 'ciphertext');
  const { key, hmacKey, iv } = keys(Buffer.from(password), salt);
  const want = createHmac('sha256', hmacKey).update(ct).digest();
  if (want.length !== mac.length || !timingSafeEqual(want, mac)) return null;
  const d = createDecipheriv('aes-256-ctr', key, iv);
  const padded = Buffer.concat([d.update(ct), d.final()]);
  const pad = padded.length > 0 ? padded[padded.length - 1] : 0;
  if (pad < 1 || pad > 16 || pad > padded.length) throw new VaultFormatError('the decrypted vault has bad padding');
  return padded.subarray(0, padded.length - pad);
}
