import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suggest, InputError } from './errors.js';

test('did-you-mean finds swapped letters, typos and cut-short names, and stays quiet otherwise', () => {
  assert.equal(suggest('nmae', ['name', 'state', 'pkg']), 'name');
  assert.equal(suggest('chidren', ['hosts', 'children', 'vars']), 'children');
  assert.equal(suggest('aptt', ['apt', 'copy', 'file']), 'apt');
  assert.equal(suggest('memory', ['cpu', 'memory_mb', 'disk_gb']), 'memory_mb');
  assert.equal(suggest('zzzzzz', ['name', 'state']), undefined);
});

test('an input error prints file:line:col, then the hint', () => {
  const e = new InputError('apt has no argument "nmae"', { file: 'site.yml', line: 14, col: 7 }, 'did you mean "name"?');
  assert.equal(e.toString(), 'site.yml:14:7: apt has no argument "nmae"\n  hint: did you mean "name"?');
});
