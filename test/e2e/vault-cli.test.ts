/**
 * `chom-play vault` and Debian's ansible-vault read each other's output (issue 14), both
 * ways, for files, vault ids (1.2) and encrypt_string. No lab needed.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, runCli } from './harness.js';

const ANSIBLE_VAULT = '/usr/bin/ansible-vault';
const skip = existsSync(ANSIBLE_VAULT) ? false : 'needs ansible-vault (apt-get install ansible-core)';
const SECRET = 'db-password-Zq81!';
let dir: string;

function ansibleVault(args: string[]): string {
  return execFileSync(ANSIBLE_VAULT, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chom-vault-'));
  writeFileSync(join(dir, 'pw'), 'correct horse\n');
  writeFileSync(join(dir, 'pw2'), 'other-pass\n');
  // A password script: its standard output is the password (as Ansible).
  writeFileSync(join(dir, 'pw.sh'), '#!/bin/sh\necho "correct horse"\n');
  chmodSync(join(dir, 'pw.sh'), 0o755);
});

test('ansible-vault decrypts what chom-play vault encrypted (1.1 and 1.2), the file mode is kept', { skip }, async () => {
  writeFileSync(join(dir, 'a.yml'), `db_password: ${SECRET}\n`, { mode: 0o640 });
  const r = await runCli(['vault', 'encrypt', '--vault-password-file', 'pw', 'a.yml'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(join(dir, 'a.yml'), 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  assert.equal(statSync(join(dir, 'a.yml')).mode & 0o777, 0o640);
  assert.equal(ansibleVault(['view', '--vault-password-file', 'pw', 'a.yml']), `db_password: ${SECRET}\n`);

  writeFileSync(join(dir, 'b.txt'), 'two\n');
  const r2 = await runCli(['vault', 'encrypt', '--vault-id', 'prod@pw.sh', 'b.txt'], dir);
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(readFileSync(join(dir, 'b.txt'), 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  ansibleVault(['decrypt', '--vault-id', 'prod@pw', 'b.txt']);
  assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'two\n');
});

test('chom-play vault view/decrypt read what ansible-vault encrypted; a wrong password is refused', { skip }, async () => {
  writeFileSync(join(dir, 'c.yml'), `api_key: ${SECRET}\n`);
  ansibleVault(['encrypt', '--vault-id', 'dev@pw', 'c.yml']);
  const view = await runCli(['vault', 'view', '--vault-id', 'dev@pw', 'c.yml'], dir);
  assert.equal(view.code, 0, view.stderr);
  assert.equal(view.stdout, `api_key: ${SECRET}\n`);
  const wrong = await runCli(['vault', 'view', '--vault-password-file', 'pw2', 'c.yml'], dir);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /no vault password given decrypts it/);
  // edit: decrypted into a private temp file for $EDITOR, encrypted again (ansible-vault still reads it).
  writeFileSync(join(dir, 'ed.sh'), '#!/bin/sh\necho "added: 1" >> "$1"\n');
  chmodSync(join(dir, 'ed.sh'), 0o755);
  const ed = await runCli(['vault', 'edit', '--vault-id', 'dev@pw', 'c.yml'], dir, { EDITOR: join(dir, 'ed.sh') });
  assert.equal(ed.code, 0, ed.stderr);
  assert.match(readFileSync(join(dir, 'c.yml'), 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;dev\n/);
  assert.equal(ansibleVault(['view', '--vault-password-file', 'pw', 'c.yml']), `api_key: ${SECRET}\nadded: 1\n`);
  const dec = await runCli(['vault', 'decrypt', '--vault-password-file', 'pw', 'c.yml'], dir);
  assert.equal(dec.code, 0, dec.stderr);
  assert.equal(readFileSync(join(dir, 'c.yml'), 'utf8'), `api_key: ${SECRET}\nadded: 1\n`);
});

test('encrypt_string output is read by ansible, and ansible-vault encrypt_string by chom-play', { skip }, async () => {
  const r = await runCli(['vault', 'encrypt_string', '--vault-password-file', 'pw', '--name', 'token', SECRET], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(SECRET));
  writeFileSync(join(dir, 'vars.yml'), r.stdout);
  const a = spawnSync('ansible', ['localhost', '-m', 'debug', '-a', 'var=token', '-e', '@vars.yml', '--vault-password-file', 'pw'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' },
  });
  assert.match(a.stdout, new RegExp(`"token": "${SECRET}"`), a.stderr);

  const s = ansibleVault(['encrypt_string', '--vault-id', 'x@pw', '--name', 'other', SECRET]);
  writeFileSync(join(dir, 'pb-vars.yml'), s);
  // A playbook using it: the value is decrypted into the task and redacted in the output.
  writeFileSync(
    join(dir, 'pb.yml'),
    `- hosts: localhost\n  gather_facts: false\n  vars_files: [pb-vars.yml]\n  tasks:\n    - name: print it\n      command: echo "{{ other }}"\n`,
  );
  const run = await runCli(['pb.yml', '-i', 'localhost,', '--vault-password-file', 'pw', '-C', '-v'], dir);
  assert.ok(!(run.stdout + run.stderr).includes(SECRET), run.stdout + run.stderr);
  const listed = await runCli(
    ['render', 'pb.yml', '-i', 'localhost,', '-H', 'localhost', '--no-facts', '--vault-password-file', 'pw'],
    dir,
  );
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(!listed.stdout.includes(SECRET));
  assert.match(listed.stdout, /\*{8}/);
});

test('a closed pipe ends chom-play quietly with exit code 0 (EPIPE)', { skip }, () => {
  // 200 encrypted strings (about 80 KB) are far more than a pipe buffer: head closes the pipe mid-output.
  const sh = `"$0" "$1" vault encrypt_string --vault-password-file "$2" ${'x '.repeat(200)} 2>&1 | head -n 1; echo "rc=\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', sh, process.execPath, cli, join(dir, 'pw')], { encoding: 'utf8' });
  assert.doesNotMatch(r.stdout, /EPIPE|Error|at /);
  assert.match(r.stdout, /^!vault \|\nrc=0\n$/);
});
