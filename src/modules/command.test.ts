import { test } from 'node:test';
import assert from 'node:assert/strict';
import command, { splitWords } from './command.js';
import { ModuleArgError } from './types.js';
import { compileWith, EVIL, syntaxError } from '../../test/system-modules/harness.js';
import { runTask, tempDir } from '../../test/system-modules/run.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

test('splitWords groups quotes and escapes like sh but keeps shell syntax literal', async () => {
  assert.deepEqual(splitWords(`echo "a  b" 'c d' e\\ f`), ['echo', 'a  b', 'c d', 'e f']);
  assert.deepEqual(splitWords('echo $HOME | wc -l > out; ls'), ['echo', '$HOME', '|', 'wc', '-l', '>', 'out;', 'ls']);
  assert.deepEqual(splitWords(`printf "%s\\n" "say \\"hi\\" \\$x"`), ['printf', '%s\\n', 'say "hi" $x']);
  assert.deepEqual(splitWords(`a '' ""`), ['a', '', '']);
  assert.deepEqual(splitWords('  spaced\t\targs  '), ['spaced', 'args']);
});

test('splitWords rejects an unterminated quote', async () => {
  assert.throws(() => splitWords(`echo 'oops`), ModuleArgError);
  assert.throws(() => splitWords(`echo "oops`), ModuleArgError);
});

test('command compiles to valid bash for hostile strings in every argument', async () => {
  for (const s of EVIL) {
    const body = compileWith(command, { argv: ['echo', s], creates: s, removes: s, chdir: s, stdin: s });
    assert.equal(syntaxError(body), '', `for ${JSON.stringify(s)}`);
  }
});

test('command needs cmd or argv, not both and not neither', async () => {
  assert.throws(() => compileWith(command, {}), ModuleArgError);
  assert.throws(() => compileWith(command, { cmd: 'ls', argv: ['ls'] }), /cmd and argv cannot be used together/);
  assert.throws(() => compileWith(command, { cmd: '   ' }), /empty/);
});

test('command passes words byte-exact and runs no shell syntax', async () => {
  const dir = tempDir();
  const marker = join(dir, 'pwned');
  const r = await runTask(command, { cmd: `printf '[%s]' "a  b" '$(touch ${marker})' ';' '|' \`id\`` });
  assert.equal(r.status, 'changed');
  assert.equal(r.stdout, `[a  b][$(touch ${marker})][;][|][\`id\`]`);
  assert.equal(existsSync(marker), false);
  const argv = await runTask(command, { argv: ['printf', '%s|', ...EVIL] });
  assert.equal(argv.stdout, EVIL.map((s) => s + '|').join(''));
});

test('command creates/removes decide, relative to chdir', async () => {
  const dir = tempDir();
  const args = { cmd: 'touch made', chdir: dir, creates: 'made' };
  const first = await runTask(command, args);
  assert.equal(first.status, 'changed');
  assert.ok(existsSync(join(dir, 'made')));
  const second = await runTask(command, args);
  assert.equal(second.status, 'ok');
  assert.match(second.msg, /skipped, since made exists/);
  assert.equal((await runTask(command, { cmd: 'rm gone', chdir: dir, removes: 'gone' })).status, 'ok');
  writeFileSync(join(dir, 'gone'), '');
  assert.equal((await runTask(command, { cmd: 'rm gone', chdir: dir, removes: 'gone' })).status, 'changed');
  assert.equal(existsSync(join(dir, 'gone')), false);
});

test('command fails with the program exit code and a builtin is not a program', async () => {
  const r = await runTask(command, { cmd: 'sh -c "exit 3"' });
  assert.equal(r.status, 'failed');
  assert.equal(r.rc, 3);
  const b = await runTask(command, { cmd: 'exit 0' });
  assert.equal(b.status, 'failed');
  assert.equal(b.rc, 127);
});

test('command feeds stdin, with a newline unless told not to', async () => {
  assert.equal((await runTask(command, { cmd: 'od -c', stdin: 'hi' })).stdout.includes('h   i  \\n'), true);
  assert.equal((await runTask(command, { cmd: 'wc -c', stdin: 'hi', stdin_add_newline: false })).stdout.trim(), '2');
});

test('check mode runs nothing and says what would run', async () => {
  const dir = tempDir();
  const r = await runTask(command, { cmd: `touch ${dir}/x` }, { check: true });
  assert.equal(r.status, 'changed');
  assert.match(r.msg, /would run: touch/);
  assert.equal(existsSync(join(dir, 'x')), false);
  writeFileSync(join(dir, 'x'), '');
  assert.equal((await runTask(command, { cmd: `touch ${dir}/x`, creates: `${dir}/x` }, { check: true })).status, 'ok');
});
