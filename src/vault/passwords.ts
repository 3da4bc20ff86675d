import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { addVaultSecret } from './keyring.js';
import { promptHidden } from './prompt.js';

export interface VaultPasswordOptions {
  /** --vault-id [LABEL@]SOURCE (SOURCE: a file, an executable script, or "prompt"). */
  vaultId?: string[];
  /** --vault-password-file / --vault-pass-file FILE (repeatable). */
  vaultPasswordFile?: string[];
  /** --ask-vault-pass / -J. */
  askVaultPass?: boolean;
}

/**
 * Collects the vault passwords from the command line, then (only when the command line names
 * none) from ansible.cfg / ANSIBLE_VAULT_PASSWORD_FILE, as Ansible does.
 */
export async function loadVaultPasswords(opts: VaultPasswordOptions, configFile: string | undefined, cwd: string): Promise<number> {
  let n = 0;
  const add = (id: string, pw: Buffer): void => {
    addVaultSecret(id, pw);
    n++;
  };
  for (const spec of opts.vaultId ?? []) {
    const at = spec.indexOf('@');
    const id = at > 0 ? spec.slice(0, at) : 'default';
    const source = at > 0 ? spec.slice(at + 1) : spec;
    if (source === 'prompt') add(id, await ask(id));
    else add(id, readPasswordSource(resolvePath(source, cwd), `--vault-id ${spec}`));
  }
  for (const f of opts.vaultPasswordFile ?? []) add('default', readPasswordSource(resolvePath(f, cwd), `--vault-password-file ${f}`));
  if (opts.askVaultPass) add('default', await ask('default'));
  if (n === 0 && configFile) add('default', readPasswordSource(resolvePath(configFile, cwd), `vault_password_file ${configFile}`));
  return n;
}

async function ask(id: string): Promise<Buffer> {
  const pw = await promptHidden(id === 'default' ? 'Vault password: ' : `Vault password (${id}): `);
  return Buffer.from(pw, 'utf8');
}

function resolvePath(p: string, cwd: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(cwd, p);
}

/**
 * A password file's content, or an executable's standard output, without surrounding line
 * breaks (Ansible strips "\r\n" only: spaces inside a password are kept).
 */
export function readPasswordSource(path: string, what: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new InputError(
      `${what}: no such file`,
      undefined,
      'give the path of a file holding the vault password, or of a script printing it',
    );
  }
  let raw: Buffer;
  if (isExecutable(path)) {
    const r = spawnSync(path, [], { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    if (r.error || r.status !== 0)
      throw new InputError(
        `${what}: the password script failed (${r.error ? r.error.message : `exit code ${r.status}`})`,
        undefined,
        'run the script by hand: it must print the password and exit 0',
      );
    raw = r.stdout;
  } else {
    if (!st.isFile()) throw new InputError(`${what}: not a file`);
    raw = readFileSync(path);
  }
  const s = stripCrLf(raw);
  if (s.length === 0) throw new InputError(`${what}: the vault password is empty`);
  return s;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function stripCrLf(b: Buffer): Buffer {
  let start = 0;
  let end = b.length;
  while (start < end && (b[start] === 10 || b[start] === 13)) start++;
  while (end > start && (b[end - 1] === 10 || b[end - 1] === 13)) end--;
  return b.subarray(start, end);
}
