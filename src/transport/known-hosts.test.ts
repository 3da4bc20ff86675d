import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keysFor, remember, verdict, keyType } from './known-hosts.js';

function blob(type: string, body: Buffer): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, body]);
}

const keyA = blob('ssh-ed25519', randomBytes(32));
const keyB = blob('ssh-ed25519', randomBytes(32));

test('a host key listed for the address matches, another key for it is a changed key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const f = join(dir, 'known_hosts');
  writeFileSync(
    f,
    `# comment\nother.example ssh-ed25519 ${keyB.toString('base64')}\n198.18.0.2,web1 ssh-ed25519 ${keyA.toString('base64')}\n`,
  );
  const known = keysFor(f, '198.18.0.2', 22);
  assert.equal(verdict(keyA, known), 'match');
  assert.equal(verdict(keyB, known), 'changed');
  assert.equal(verdict(keyA, keysFor(f, '198.18.0.9', 22)), 'unknown');
});

test('non-default ports use [host]:port and hashed entries are honoured', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const f = join(dir, 'known_hosts');
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64');
  writeFileSync(f, `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${keyA.toString('base64')}\n`);
  assert.equal(verdict(keyA, keysFor(f, '10.0.0.5', 2222)), 'match');
  assert.equal(verdict(keyA, keysFor(f, '10.0.0.5', 22)), 'unknown');
});

test('a revoked key is refused even when also listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const f = join(dir, 'known_hosts');
  writeFileSync(
    f,
    `@revoked * ssh-ed25519 ${keyA.toString('base64')}\nh ssh-ed25519 ${keyA.toString('base64')}\n@revoked h ssh-ed25519 ${keyA.toString('base64')}\n`,
  );
  assert.equal(verdict(keyA, keysFor(f, 'h', 22)), 'revoked');
});

test('trust on first use records the key in OpenSSH format', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  const f = join(dir, 'sub', 'known_hosts');
  remember(f, 'h2', 2200, keyA);
  assert.equal(readFileSync(f, 'utf8'), `[h2]:2200 ssh-ed25519 ${keyA.toString('base64')}\n`);
  assert.equal(keyType(keyA), 'ssh-ed25519');
  assert.equal(verdict(keyA, keysFor(f, 'h2', 2200)), 'match');
});
