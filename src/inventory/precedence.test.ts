import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadInventory } from './load.js';
import { cleanup, tmpInventory } from './tmpinv.js';

after(cleanup);

/**
 * Every level that can set a variable, low to high. h1 sits in group eu, a child of web:
 * all < group_vars/all < web inline < group_vars/web < eu inline < group_vars/eu
 *   < h1 inline < host_vars/h1/ (dir) < host_vars/h1.yml
 */
const LEVELS = ['all-inline', 'gv-all', 'web-inline', 'gv-web', 'eu-inline', 'gv-eu', 'host-inline', 'hv-dir', 'hv-file'] as const;

function fixtureUpTo(n: number): Record<string, string> {
  const on = (level: (typeof LEVELS)[number]): boolean => LEVELS.indexOf(level) < n;
  const v = (level: (typeof LEVELS)[number], indent: string): string => (on(level) ? `${indent}v: ${level}\n` : `${indent}other: 1\n`);
  const files: Record<string, string> = {
    'hosts.yml':
      'all:\n  vars:\n' + v('all-inline', '    ') +
      '  children:\n    web:\n      vars:\n' + v('web-inline', '        ') +
      '      children:\n        eu:\n          vars:\n' + v('eu-inline', '            ') +
      '          hosts:\n            h1:\n' + v('host-inline', '              '),
  };
  if (on('gv-all')) files['group_vars/all.yml'] = 'v: gv-all\n';
  if (on('gv-web')) files['group_vars/web.yml'] = 'v: gv-web\n';
  if (on('gv-eu')) files['group_vars/eu.yml'] = 'v: gv-eu\n';
  if (on('hv-dir')) files['host_vars/h1/main.yml'] = 'v: hv-dir\n';
  if (on('hv-file')) files['host_vars/h1.yml'] = 'v: hv-file\n';
  return files;
}

describe('variable precedence', () => {
  for (let n = 1; n <= LEVELS.length; n++) {
    const top = LEVELS[n - 1];
    it(`${top} wins over every lower level`, () => {
      const inv = loadInventory(tmpInventory(fixtureUpTo(n)));
      assert.equal(inv.hosts.get('h1')!.vars.v, top);
    });
  }

  it('records where the winning value was written', () => {
    const dir = tmpInventory(fixtureUpTo(6));
    const inv = loadInventory(dir);
    assert.deepEqual(inv.hosts.get('h1')!.varLocs!.v, { file: `${dir}/group_vars/eu.yml`, line: 1, col: 1 });
  });

  it('a deeper group wins even when its name sorts first', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    zzz:\n      vars: {v: zzz}\n      children:\n        aaa:\n          vars: {v: aaa}\n          hosts: {h1: }\n',
    }));
    assert.equal(inv.hosts.get('h1')!.vars.v, 'aaa');
  });

  it('groups at the same depth apply in name order (the later name wins)', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    beta:\n      vars: {v: beta}\n      hosts: {h1: }\n    alpha:\n      vars: {v: alpha}\n      hosts: {h1: }\n',
    }));
    assert.equal(inv.hosts.get('h1')!.vars.v, 'beta');
  });

  it('ansible_group_priority beats name order at the same depth', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    beta:\n      vars: {v: beta}\n      hosts: {h1: }\n    alpha:\n      vars: {v: alpha, ansible_group_priority: 10}\n      hosts: {h1: }\n',
    }));
    assert.equal(inv.hosts.get('h1')!.vars.v, 'alpha');
  });

  it('a group reached by two paths takes its deepest depth', () => {
    // mid is at depth 2 through top -> mid, so it beats `other` (depth 1) though mid is also a direct child of all.
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    mid:\n      vars: {v: mid}\n    zed:\n      vars: {v: zed}\n      hosts: {h1: }\n    top:\n      children:\n        mid:\n          hosts: {h1: }\n',
    }));
    assert.equal(inv.hosts.get('h1')!.vars.v, 'mid');
  });

  it('dictionaries are replaced, not merged (hash_behaviour=replace)', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  vars:\n    d: {a: 1, b: 2}\n  hosts:\n    h1:\n      d: {b: 3}\n',
    }));
    assert.deepEqual(inv.hosts.get('h1')!.vars.d, { b: 3 });
  });

  it('a host declared in two groups gets both declarations, the later one winning', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    a:\n      hosts:\n        h1: {x: 1, y: a}\n    b:\n      hosts:\n        h1: {y: b}\n',
    }));
    assert.deepEqual(inv.hosts.get('h1')!.vars, { x: 1, y: 'b' });
    assert.deepEqual(inv.hosts.get('h1')!.groups, ['all', 'a', 'b']);
  });

  it('a group_vars directory merges its files in name order, then NAME.yml on top', () => {
    const dir = tmpInventory({
      'hosts.yml': 'all:\n  children:\n    web:\n      hosts: {h1: }\n',
      'group_vars/web/10-base.yml': 'a: base\nb: base\nc: base\n',
      'group_vars/web/20-site.yaml': 'b: site\n',
      'group_vars/web/sub/30-deep.yml': 'c: deep\n',
      'group_vars/web/notes.txt': 'a: ignored\n',
      'group_vars/web/.hidden.yml': 'a: ignored\n',
      'group_vars/web.yml': 'd: file\n',
    });
    const inv = loadInventory(dir);
    assert.deepEqual(inv.hosts.get('h1')!.vars, { a: 'base', b: 'site', c: 'deep', d: 'file' });
    assert.deepEqual(inv.groups.get('web')!.varsFiles, [
      `${dir}/group_vars/web/10-base.yml`, `${dir}/group_vars/web/20-site.yaml`, `${dir}/group_vars/web/sub/30-deep.yml`, `${dir}/group_vars/web.yml`,
    ]);
  });
});
