import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReturns } from './returns.js';

test('the typed pairs a task sends become the nested value register holds', () => {
  const wire = [
    'b:stat__exists',
    'true',
    'i:stat__size',
    '42',
    's:stat__mode',
    '0644',
    'f:stat__mtime',
    '1700000000.5',
    'j:files',
    '[{"path":"/a"}]',
    '',
  ].join('\0');
  assert.deepEqual(decodeReturns(wire), { stat: { exists: true, size: 42, mode: '0644', mtime: 1700000000.5 }, files: [{ path: '/a' }] });
});

test('malformed keys, bad JSON and prototype names are left out', () => {
  const wire = ['x:bad', '1', 'b:__proto__', 'true', 'j:files', '[', 's:ok', 'yes', ''].join('\0');
  const got = decodeReturns(wire);
  assert.deepEqual(got, { ok: 'yes' });
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
});
