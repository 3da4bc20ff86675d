import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { encryptVault, isVaultText, parseEnvelope } from '../vault/format.js';
import { decryptWithKeyring, encryptionSecret, hasVaultSecrets, addVaultSecret } from '../vault/keyring.js';
import { loadVaultPasswords } from '../vault/passwords.js';
import { promptHidden } from '../vault/prompt.js';
import { resolveConfig } from '../config/index.js';

interface VaultCliOptions {
  vaultId: string[];
  vaultPasswordFile: string[];
  askVaultPass?: boolean;
  output?: string;
  encryptVaultId?: string;
  name?: string[];
  prompt?: boolean;
  stdinName?: string;
}

export async function vaultAction(action: string, args: string[], opts: VaultCliOptions): Promise<number> {
  const cwd = process.cwd();
  const cfg = resolveConfig(cwd);
  await loadVaultPasswords(opts, cfg.values.vault_password_file, cwd);
  if (!hasVaultSecrets()) {
    // Like ansible-vault: with no password source, ask (twice when creating vault text).
    const pw = await promptHidden(action === 'encrypt' || action === 'encrypt_string' ? 'New Vault password: ' : 'Vault password: ');
    if (action === 'encrypt' || action === 'encrypt_string') {
      if ((await promptHidden('Confirm New Vault password: ')) !== pw) throw new InputError('the two passwords differ');
    }
    addVaultSecret('default', pw);
  }
  switch (action) {
    case 'encrypt':
      for (const f of args) {
        const data = readFileSync(f);
        if (isVaultText(data)) throw new InputError(`${f} is already encrypted with Ansible Vault`);
        writeOut(f, encrypt(data, opts.encryptVaultId), opts.output);
      }
      if (opts.output !== '-') process.stderr.write('Encryption successful\n');
      return 0;
    case 'decrypt':
      for (const f of args) writeOut(f, decryptWithKeyring(readFileSync(f, 'utf8'), f), opts.output);
      if (opts.output !== '-') process.stderr.write('Decryption successful\n');
      return 0;
    case 'view':
      for (const f of args) process.stdout.write(decryptWithKeyring(readFileSync(f, 'utf8'), f));
      return 0;
    case 'edit':
      return edit(args[0], opts.encryptVaultId);
    case 'encrypt_string':
      return encryptString(args, opts);
    default:
      throw new InputError(`unknown vault action ${action}`);
  }
}

function encrypt(data: Buffer | string, id?: string): string {
  const s = encryptionSecret(id);
  if (!s) throw new InputError(`no vault password with id "${id}"`, undefined, 'add --vault-id ID@FILE for that id');
  return encryptVault(data, s.password, s.id);
}

/** In place through a temporary file and rename, keeping the file's mode (as ansible-vault). */
function writeOut(src: string, data: Buffer | string, output?: string): void {
  if (output === '-') {
    process.stdout.write(data);
    return;
  }
  const target = output ?? src;
  const tmp = join(dirname(target), `.${basename(target)}.chom-vault-${process.pid}`);
  writeFileSync(tmp, data, { mode: 0o600 });
  try {
    chmodSync(tmp, statSync(src).mode & 0o7777);
  } catch {
    // the source may be gone or unreadable for its mode: keep 0600
  }
  renameSync(tmp, target);
}

function edit(file: string, id?: string): number {
  const text = readFileSync(file, 'utf8');
  const plain = decryptWithKeyring(text, file);
  // Like ansible-vault edit: the file keeps its vault id when a password for it was given.
  const own = parseEnvelope(text).vaultId;
  if (!id && own && encryptionSecret(own)) id = own;
  const dir = mkdtempSync(join(tmpdir(), 'chom-vault-'));
  const tmp = join(dir, basename(file));
  try {
    writeFileSync(tmp, plain, { mode: 0o600 });
    const editor = process.env.EDITOR || process.env.VISUAL || 'vi';
    // The editor command may carry arguments ("code -w"); split on spaces as ansible-vault does.
    const [cmd, ...rest] = editor.split(/\s+/).filter(Boolean);
    const r = spawnSync(cmd, [...rest, tmp], { stdio: 'inherit' });
    if (r.error || r.status !== 0) throw new InputError(`editor "${editor}" failed; ${file} is unchanged`);
    const after = readFileSync(tmp);
    if (!after.equals(plain)) writeOut(file, encrypt(after, id));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function encryptString(args: string[], opts: VaultCliOptions): Promise<number> {
  const items: { name?: string; value: string }[] = [];
  const names = opts.name ?? [];
  if (opts.stdinName !== undefined) items.push({ name: opts.stdinName, value: readFileSync(0, 'utf8') });
  else if (opts.prompt) items.push({ name: names[0], value: await promptHidden('String to encrypt (hidden): ') });
  else if (args.length === 0) items.push({ name: names[0], value: readFileSync(0, 'utf8') });
  else args.forEach((a, i) => items.push({ name: names[i], value: a }));
  for (const it of items) {
    const body = encrypt(it.value, opts.encryptVaultId)
      .trimEnd()
      .split('\n')
      .map((l) => `          ${l}`)
      .join('\n');
    process.stdout.write(it.name !== undefined ? `${it.name}: !vault |\n${body}\n` : `!vault |\n${body}\n`);
  }
  process.stderr.write('Encryption successful\n');
  return 0;
}
