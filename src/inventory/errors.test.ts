import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { loadInventory } from './load.js';
import { cleanup, tmpInventory } from './tmpinv.js';

after(cleanup);

/** Loads `hosts.yml` (+ extra files) and returns the InputError as the CLI prints it. */
function errorOf(hostsYml: string, extra: Record<string, string> = {}): { text: string; dir: string } {
  const dir = tmpInventory({ 'hosts.yml': hostsYml, ...extra });
  try {
    loadInventory(dir);
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return { text: err.toString(), dir };
  }
  assert.fail('loadInventory accepted a bad inventory');
}

function firstLine(hostsYml: string, extra: Record<string, string> = {}): string {
  const { text, dir } = errorOf(hostsYml, extra);
  return text.split('\n')[0].replace(dir + '/', '');
}

describe('inventory errors', () => {
  it('a misspelt group key names file:line:col and suggests the right key', () => {
    const yml = 'all:\n  children:\n    web:\n      chidren:\n        eu:\n';
    assert.equal(firstLine(yml), 'hosts.yml:4:7: group "web" has unknown key "chidren"; did you mean "children"?');
  });

  it('an unknown key unlike any other gets no suggestion', () => {
    assert.equal(firstLine('all:\n  servers:\n    a:\n'), 'hosts.yml:2:3: group "all" has unknown key "servers"');
  });

  it('hosts given as a list is refused with a hint', () => {
    const { text, dir } = errorOf('all:\n  hosts:\n    - web1\n    - web2\n');
    assert.equal(text.split('\n')[0], `${dir}/hosts.yml:3:5: "hosts" of group "all" must be a mapping of host names to their variables (or empty), not a list`);
    assert.match(text, /hint: write each host as a key/);
  });

  it('vars that are not a mapping are refused', () => {
    assert.equal(firstLine('all:\n  children:\n    db:\n      vars: [a, b]\n'), 'hosts.yml:4:13: "vars" of group "db" must be a mapping of variable names to values, not a list');
  });

  it('a host whose value is a string is refused', () => {
    assert.equal(firstLine('all:\n  hosts:\n    h1: 10.0.0.1\n'), 'hosts.yml:3:9: host "h1" in group "all" must be a mapping of variables (or empty), not the string "10.0.0.1"');
  });

  it('the first of several problems is reported, with the count of the others', () => {
    assert.equal(firstLine('all:\n  hostz:\n  childs:\n'), 'hosts.yml:2:3: group "all" has unknown key "hostz"; did you mean "hosts"? (and 1 more problem in this file)');
  });

  it('an inventory that is a list is refused', () => {
    assert.equal(firstLine('- web1\n- web2\n'), 'hosts.yml:1:1: the inventory must be a mapping of group names (start with `all:`), not a list');
  });

  it('a host name with a space is refused', () => {
    assert.equal(firstLine('all:\n  hosts:\n    "web 1":\n'), 'hosts.yml:3:5: invalid host name "web 1": contains a space');
  });

  it('a group name with a pattern character is refused', () => {
    assert.equal(firstLine('all:\n  children:\n    "web:eu":\n'), 'hosts.yml:3:5: invalid group name "web:eu": contains ":"');
  });

  it('a YAML syntax error names the position', () => {
    assert.match(firstLine('all:\n  hosts:\n    h1: {a: 1\n'), /^hosts\.yml:\d+:\d+: YAML syntax error/);
  });

  it('a group_vars file that is not a mapping names the file', () => {
    assert.equal(firstLine('all:\n  hosts: {h1: }\n', { 'group_vars/all.yml': '- a\n- b\n' }),
      'group_vars/all.yml:1:1: a vars file must hold a mapping of variable names to values, not a list');
  });

  it('a host_vars file with a syntax error names the file', () => {
    assert.match(firstLine('all:\n  hosts: {h1: }\n', { 'host_vars/h1.yml': 'a: [1\n' }), /^host_vars\/h1\.yml:\d+:\d+: YAML syntax error/);
  });

  it('groups that contain each other are refused', () => {
    const yml = 'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n';
    assert.equal(firstLine(yml), 'hosts.yml:3:5: groups form a loop: a -> b -> a');
  });

  it('all as a child group is refused', () => {
    assert.equal(firstLine('all:\n  children:\n    web:\n      children:\n        all:\n'), 'hosts.yml:5:9: group "all" cannot be a child of group "web"');
  });

  it('a malformed host range is refused', () => {
    assert.equal(firstLine('all:\n  hosts:\n    web[5:1]:\n'), 'hosts.yml:3:5: host "web[5:1]": range start 5 is after its end 1');
  });

  it('a missing inventory path and a dir without hosts.yml are explained', () => {
    const dir = tmpInventory({ 'group_vars/all.yml': 'a: 1\n' });
    assert.throws(() => loadInventory(join(dir, 'nope')), /inventory ".*nope" not found/);
    assert.throws(() => loadInventory(dir), /has no hosts\.yml or hosts\.yaml/);
  });
});
