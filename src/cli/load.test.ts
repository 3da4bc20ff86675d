import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExtraVars } from './load.js';
import { InputError } from '../errors.js';

test('-e accepts key=value pairs, JSON/YAML mappings and @files, later ones winning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ev-'));
  writeFileSync(join(dir, 'v.yml'), 'port: 8080\nlist: [1, 2]\n');
  const v = parseExtraVars(['a=1 b="two words"', '{"c": true, "a": "json"}', '@v.yml'], dir);
  assert.deepEqual(v, { a: 'json', b: 'two words', c: true, port: 8080, list: [1, 2] });
});

test('-e with neither key=value nor a mapping is refused with what to write', () => {
  assert.throws(
    () => parseExtraVars(['justaword'], tmpdir()),
    (e: unknown) => e instanceof InputError && /key=value/.test(e.message),
  );
});

test('-e @file pointing at a list names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ev-'));
  writeFileSync(join(dir, 'l.yml'), '- 1\n- 2\n');
  assert.throws(
    () => parseExtraVars(['@l.yml'], dir),
    (e: unknown) => e instanceof InputError && e.loc?.file === 'l.yml',
  );
});
