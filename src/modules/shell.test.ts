import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import shell from './shell.js';
import { ModuleArgError } from './types.js';
import { compileWith, EVIL, syntaxError } from '../../test/system-modules/harness.js';
import { runTask, tempDir } from '../../test/system-modules/run.js';

test('shell runs the string through bash: pipes, variables and redirections work', async () => {
  const dir = tempDir();
  const r = await runTask(shell, { cmd: 'echo "$((6 * 7))" | tr 4 X > out && cat out', chdir: dir });
  assert.equal(r.status, 'changed');
  assert.equal(r.stdout.trim(), 'X2');
});

test('shell uses executable when given', async () => {
  const r = await runTask(shell, { cmd: 'echo "$0"', executable: '/bin/sh' });
  assert.equal(r.stdout.trim(), '/bin/sh');
});

test('shell fails with the exit code of the string', async () => {
  const r = await runTask(shell, { cmd: 'echo partial; exit 5' });
  assert.equal(r.status, 'failed');
  assert.equal(r.rc, 5);
});

test('shell in check mode runs nothing; creates makes it ok', async () => {
  const dir = tempDir();
  const r = await runTask(shell, { cmd: `touch ${dir}/made`, creates: `${dir}/made` }, { check: true });
  assert.equal(r.status, 'changed');
  assert.match(r.msg, /would run/);
  assert.equal(existsSync(join(dir, 'made')), false);
});

test('shell compiles to valid bash for hostile strings', () => {
  for (const s of EVIL) assert.equal(syntaxError(compileWith(shell, { cmd: s, chdir: s, creates: s })), '', s);
  assert.throws(() => compileWith(shell, {}), ModuleArgError);
});
