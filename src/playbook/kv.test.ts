import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeyValues, splitFreeForm } from './kv.js';

describe('key=value arguments', () => {
  it('parses pairs, quoted values and templates with spaces', () => {
    assert.deepEqual(parseKeyValues('name=nginx state=present'), { args: { name: 'nginx', state: 'present' } });
    assert.deepEqual(parseKeyValues('line="a b = c" dest=/etc/x'), { args: { line: 'a b = c', dest: '/etc/x' } });
    assert.deepEqual(parseKeyValues("name={{ pkgs | join(' ') }} state=latest"), {
      args: { name: "{{ pkgs | join(' ') }}", state: 'latest' },
    });
  });

  it('returns the first token that is not key=value', () => {
    assert.deepEqual(parseKeyValues('name=x oops'), { bad: 'oops' });
  });
});

describe('free-form commands', () => {
  const known = new Set(['creates', 'removes', 'chdir']);
  it('takes known options out and keeps the rest as written', () => {
    assert.deepEqual(splitFreeForm('make  install chdir=/src creates=/usr/bin/x', known), {
      rest: 'make  install',
      args: { chdir: '/src', creates: '/usr/bin/x' },
    });
  });

  it('leaves unknown key=value words and quoted text alone', () => {
    assert.deepEqual(splitFreeForm('env FOO=1 echo "chdir=/x"', known), { rest: 'env FOO=1 echo "chdir=/x"', args: {} });
  });
});
