import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mode } from './args.js';

describe('mode()', () => {
  it('reads numbers as YAML 1.1 gives them (0644 -> 420) and octal/symbolic strings as chmod does', () => {
    assert.equal(mode(420), '0644');
    assert.equal(mode(0o4755), '4755');
    assert.equal(mode('0644'), '0644');
    assert.equal(mode('644'), '0644');
    assert.equal(mode('0o750'), '0750');
    assert.equal(mode('u=rw,g=r,o='), 'u=rw,g=r,o=');
    assert.equal(mode(undefined), '');
  });

  it('refuses the decimal 644 (Ansible would apply 01204) and nonsense, saying how to write it', () => {
    assert.throws(() => mode(644), /write 0644/);
    assert.throws(() => mode('rw-r--r--'), /neither octal/);
    assert.throws(() => mode(70000), /not a file mode/);
  });
});
