import { test } from 'node:test';
import assert from 'node:assert/strict';
import user from './user.js';
import group from './group.js';
import { ModuleArgError } from './types.js';
import { compileWith, EVIL, syntaxError } from '../../test/system-modules/harness.js';

// Runs on real hosts: test/e2e/system-modules.test.ts. Here: what the compiler accepts and emits.

test('user compiles to valid bash for every state and hostile free-text fields', () => {
  for (const s of EVIL) {
    if (/[:\n]/.test(s)) continue; // refused: they would corrupt /etc/passwd
    const body = compileWith(user, {
      name: 'www',
      comment: s,
      shell: s,
      home: `/home/${s}`,
      password: s,
      groups: ['adm', 'staff'],
      uid: 1500,
      group: 'www',
    });
    assert.equal(syntaxError(body), '', s);
  }
  assert.equal(syntaxError(compileWith(user, { name: 'www', state: 'absent', remove: true })), '');
  assert.equal(syntaxError(compileWith(user, { name: 'www', groups: 'adm, staff', append: 'yes' })), '');
  assert.equal(syntaxError(compileWith(user, { name: 'www', groups: '' })), '');
});

test('user keeps the password hash out of messages and command lines', () => {
  const hash = '$6$salt$SECRETHASHVALUE';
  for (const args of [
    { name: 'www', password: hash },
    { name: 'www', password: hash, shell: '/bin/sh' },
  ]) {
    const lines = compileWith(user, args)
      .split('\n')
      .filter((l) => l.includes('SECRETHASHVALUE'));
    // Only assignments to variables (handed to chpasswd on stdin) may hold it.
    assert.ok(lines.length > 0 && lines.every((l) => /^\s*(want|pw)=/.test(l)), lines.join('\n'));
  }
});

test('user and group refuse names that would break /etc/passwd or look like options', () => {
  for (const name of ['-r', 'a:b', 'a b', 'a,b']) {
    assert.throws(() => compileWith(user, { name }), ModuleArgError, name);
    assert.throws(() => compileWith(group, { name }), ModuleArgError, name);
  }
  assert.throws(() => compileWith(user, { name: 'ok', comment: 'a:b' }), /cannot contain/);
  assert.throws(() => compileWith(user, { name: 'ok', groups: ['fine', '-G'] }), ModuleArgError);
});

test('group compiles for present, gid and absent', () => {
  assert.equal(syntaxError(compileWith(group, { name: 'g1', gid: 2001, system: true })), '');
  assert.equal(syntaxError(compileWith(group, { name: 'g1', gid: '2001' })), '');
  assert.equal(syntaxError(compileWith(group, { name: 'g1', state: 'absent' })), '');
});
