import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { loadDotEnv } from './dotenv.js';

function tempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'chom-env-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', ...args], { stdio: 'ignore' });

test('a .env file is parsed with dotenv syntax, without touching process.env', () => {
  tempDir((dir) => {
    writeFileSync(join(dir, '.env'), 'DB_PASSWORD="p&ss w$rd"\n# comment\nTOKEN=abc\n');
    assert.deepEqual(loadDotEnv('.env', dir), { DB_PASSWORD: 'p&ss w$rd', TOKEN: 'abc' });
    assert.equal(process.env.TOKEN, undefined);
  });
});

test('a missing .env is empty unless the user named it with --env-file', () => {
  tempDir((dir) => {
    assert.deepEqual(loadDotEnv('.env', dir), {});
    assert.throws(
      () => loadDotEnv('prod.env', dir, true),
      (e: unknown) => e instanceof InputError && /prod.env does not exist/.test(e.message),
    );
  });
});

test('a .env tracked by git is refused; an untracked one in the same repo is read', () => {
  tempDir((dir) => {
    git(dir, 'init', '-q');
    writeFileSync(join(dir, '.env'), 'A=1\n');
    assert.deepEqual(loadDotEnv('.env', dir), { A: '1' });
    git(dir, 'add', '.env');
    assert.throws(
      () => loadDotEnv('.env', dir),
      (e: unknown) => e instanceof InputError && /tracked by git/.test(e.message) && e.exitCode === 1,
    );
    assert.throws(() => loadDotEnv(join(dir, '.env'), '/'), /tracked by git/);
  });
});
