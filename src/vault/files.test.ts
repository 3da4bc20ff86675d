import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { encryptVault } from './format.js';
import { readVaultedSource } from './files.js';
import { addVaultSecret, resetVault } from './keyring.js';

after(() => resetVault());

test('a vault-encrypted copy source is decrypted, and its content and longer lines become secrets', () => {
  resetVault();
  addVaultSecret('default', 'pw-1');
  const dir = mkdtempSync(join(tmpdir(), 'vfile-'));
  writeFileSync(join(dir, 'key'), encryptVault('short\nline-that-is-secret-42\n', 'pw-1'));
  const added: string[] = [];
  const plain = readVaultedSource(join(dir, 'key'), 'files/key', { add: (v) => added.push(v) });
  assert.equal(plain?.toString(), 'short\nline-that-is-secret-42\n');
  assert.ok(added.includes('line-that-is-secret-42'));
  assert.ok(!added.includes('short'), 'short lines are not masked everywhere');
});

test('a plain copy source is left to the normal path; a vaulted one without a matching password is an input error', () => {
  resetVault();
  const dir = mkdtempSync(join(tmpdir(), 'vfile-'));
  writeFileSync(join(dir, 'plain'), 'hello\n');
  assert.equal(readVaultedSource(join(dir, 'plain'), 'files/plain', { add: () => {} }), undefined);
  writeFileSync(join(dir, 'locked'), encryptVault('x\n', 'right'));
  assert.throws(
    () => readVaultedSource(join(dir, 'locked'), 'files/locked', { add: () => {} }),
    (e: unknown) => e instanceof InputError && /no vault password was given/.test(e.message),
  );
  addVaultSecret('default', 'wrong');
  assert.throws(
    () => readVaultedSource(join(dir, 'locked'), 'files/locked', { add: () => {} }),
    (e: unknown) => e instanceof InputError && /no vault password given decrypts it/.test(e.message),
  );
});
