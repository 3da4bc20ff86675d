import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from './read.js';
import { InputError } from '../errors.js';

test('YAML is read as Ansible reads it: octal modes, yes/no booleans, y/n and dates as strings', () => {
  const v = parseYaml('mode: 0644\nenabled: yes\nforce: off\ny: b\nn: 1\nwhen: 2026-01-01\n', 'x.yml').value;
  assert.deepEqual(v, { mode: 0o644, enabled: true, force: false, y: 'b', n: 1, when: '2026-01-01' });
});

test('a syntax error names file:line:col', () => {
  assert.throws(
    () => parseYaml('a: 1\nb: [1, 2\n', 'site.yml'),
    (e: unknown) => e instanceof InputError && e.loc?.file === 'site.yml' && e.loc.line >= 2 && /YAML syntax error/.test(e.message),
  );
});

test('locations of nodes and keys point where they were written', () => {
  const f = parseYaml('- name: x\n  apt:\n    nmae: nginx\n', 'p.yml');
  assert.deepEqual(f.keyLocOf([0, 'apt', 'nmae']), { file: 'p.yml', line: 3, col: 5 });
  assert.deepEqual(f.locOf([0, 'apt']), { file: 'p.yml', line: 3, col: 5 });
  assert.deepEqual(f.keyLocOf([0, 'name']), { file: 'p.yml', line: 1, col: 3 });
});
