import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { TemplateContext } from './context.js';

/**
 * Credentials generated once (`{{password "alertmanager_admin"}}`):
 *  1. a value in .env wins: the key NAME exactly, else NAME in upper case
 *     (`alertmanager_admin` -> ALERTMANAGER_ADMIN=...);
 *  2. else the stored value in <projectDir>/.chom/secrets/NAME is reused (never rotated;
 *     a different requested length does not regenerate it: delete the file to rotate);
 *  3. else a new random value is generated with crypto.randomBytes and stored (file 0600,
 *     directory 0700, a .gitignore with "*" so the directory can never be committed).
 * Every value is registered with the redactor.
 */
export const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function secretsDir(projectDir: string): string {
  return join(projectDir, '.chom', 'secrets');
}

export function getPassword(ctx: TemplateContext, name: string, length = 32): string {
  if (!NAME_RE.test(name)) {
    throw new InputError(
      `password name "${name}" is not allowed: use letters, digits, "_", "-" and "." (it is a file name under .chom/secrets/)`,
    );
  }
  if (!Number.isInteger(length) || length < 8 || length > 1024) {
    throw new InputError(`password "${name}": length must be an integer between 8 and 1024, got ${length}`);
  }
  const cached = ctx.cache.get(name);
  if (cached !== undefined) return cached;
  const fromEnv = ctx.env[name] ?? ctx.env[name.toUpperCase()];
  const value = fromEnv !== undefined && fromEnv !== '' ? fromEnv : storedOrNew(ctx.projectDir, name, length);
  ctx.secrets.add(value);
  ctx.cache.set(name, value);
  return value;
}

function storedOrNew(projectDir: string, name: string, length: number): string {
  const dir = secretsDir(projectDir);
  const file = join(dir, name);
  if (existsSync(file)) {
    // An editor may add a final newline; the secret itself never contains one.
    const v = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    if (v === '') throw new InputError(`${file} is empty; delete it to generate a new password "${name}"`);
    return v;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n', { mode: 0o600 });
  const value = randomString(length);
  // Write then rename: an interrupted run never leaves a truncated secret behind.
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, value, { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return value;
}

/** Uniform over the alphabet: bytes >= 248 (= 62 * 4) are rejected to avoid modulo bias. */
export function randomString(length: number): string {
  const n = PASSWORD_ALPHABET.length;
  const limit = Math.floor(256 / n) * n;
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out += PASSWORD_ALPHABET[b % n];
      if (out.length === length) break;
    }
  }
  return out;
}
