import { InputError, type SourceLoc } from '../errors.js';
import { decryptVault, parseEnvelope, VaultFormatError } from './format.js';

/**
 * The vault passwords of this process (from --vault-id, --vault-password-file, --ask-vault-pass,
 * ansible.cfg or ANSIBLE_VAULT_PASSWORD_FILE), and every value decrypted with them.
 *
 * A process-wide set on purpose: vault text can appear in any YAML file read anywhere
 * (inventory, vars_files, include_vars, roles), and every decrypted value must reach the
 * redactor, whichever layer read it.
 */
interface VaultSecret {
  id: string;
  password: Buffer;
}

const secrets: VaultSecret[] = [];
const revealed = new Set<string>();

export function addVaultSecret(id: string, password: Buffer | string): void {
  secrets.push({ id: id || 'default', password: Buffer.from(password) });
}

export function hasVaultSecrets(): boolean {
  return secrets.length > 0;
}

/** Forget everything (tests; a second load in the same process). */
export function resetVault(): void {
  secrets.length = 0;
  revealed.clear();
}

/** Values decrypted so far: the redactor hides each of them. */
export function revealedSecrets(): string[] {
  return [...revealed];
}

/** Registers a decrypted value (or a leaf of a decrypted file) as a secret. */
export function markSecret(v: string): void {
  if (v.trim() !== '') revealed.add(v);
}

/**
 * Decrypts vault text with the known passwords: those whose id matches the text's vault id
 * first, then all others (Ansible's default, vault_id_match = False).
 */
export function decryptWithKeyring(text: string, where: string, loc?: SourceLoc): Buffer {
  let env;
  try {
    env = parseEnvelope(text);
  } catch (err) {
    throw new InputError(`${where}: ${(err as Error).message}`, loc);
  }
  if (secrets.length === 0) {
    throw new InputError(
      `${where} is encrypted with Ansible Vault${env.vaultId ? ` (vault id "${env.vaultId}")` : ''} and no vault password was given`,
      loc,
      'pass --vault-password-file FILE, --vault-id [ID@]FILE, --ask-vault-pass, or set vault_password_file in ansible.cfg',
    );
  }
  const ordered = [...secrets.filter((s) => s.id === env.vaultId), ...secrets.filter((s) => s.id !== env.vaultId)];
  for (const s of ordered) {
    let out: Buffer | null;
    try {
      out = decryptVault(text, s.password);
    } catch (err) {
      if (err instanceof VaultFormatError) throw new InputError(`${where}: ${err.message}`, loc);
      throw err;
    }
    if (out) return out;
  }
  throw new InputError(
    `${where}: no vault password given decrypts it${env.vaultId ? ` (vault id "${env.vaultId}")` : ''}`,
    loc,
    `tried ${secrets.length} password(s) (ids: ${[...new Set(secrets.map((s) => s.id))].join(', ')}); check the password file or the --vault-id label`,
  );
}

/** Decrypts an inline `!vault` value and marks it secret. */
export function decryptInline(text: string, loc: SourceLoc): string {
  const v = decryptWithKeyring(text, 'a !vault value', loc).toString('utf8');
  markSecret(v);
  return v;
}

/** The password to encrypt with: the one labelled `id`, else the first one given. */
export function encryptionSecret(id?: string): { id: string; password: Buffer } | undefined {
  const s = (id ? secrets.find((x) => x.id === id) : undefined) ?? (id ? undefined : secrets[0]);
  return s ? { id: s.id, password: s.password } : undefined;
}
