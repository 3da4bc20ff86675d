import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import { loadInventory } from './load.js';
import type { Inventory } from './model.js';
import { hostEntry, selectHosts, splitPattern } from './patterns.js';
import { cleanup, tmpInventory } from './tmpinv.js';

after(cleanup);

// Declaration order: lone, web1, web2, web3, db1, db2, api1 (web2 is also in db).
const HOSTS = `all:
  vars: {x: 1}
  hosts:
    lone:
  children:
    web:
      hosts:
        web1:
        web2:
        web3:
    db:
      hosts:
        db2:
        db1:
        web2:
    app:
      children:
        api:
          hosts:
            api1:
`;

let inv: Inventory;
before(() => {
  inv = loadInventory(tmpInventory({ 'hosts.yml': HOSTS }));
});

const sel = (p: string): string[] => selectHosts(inv, p);

describe('selectHosts', () => {
  it('a host name selects that host', () => assert.deepEqual(sel('db1'), ['db1']));
  it('a group selects its hosts in declaration order', () => assert.deepEqual(sel('db'), ['web2', 'db2', 'db1']));
  it('a parent group selects the hosts of its children', () => assert.deepEqual(sel('app'), ['api1']));
  it('all and * select every host', () => {
    const every = ['lone', 'web1', 'web2', 'web3', 'db2', 'db1', 'api1'];
    assert.deepEqual(sel('all'), every);
    assert.deepEqual(sel('*'), every);
  });
  it('ungrouped selects hosts in no group', () => assert.deepEqual(sel('ungrouped'), ['lone']));
  it('colon and comma both make unions, each host once, in declaration order', () => {
    assert.deepEqual(sel('api1:web'), ['web1', 'web2', 'web3', 'api1']);
    assert.deepEqual(sel('db, web1'), ['web1', 'web2', 'db2', 'db1']);
  });
  it('! excludes', () => assert.deepEqual(sel('web:!db'), ['web1', 'web3']));
  it('a pattern of only exclusions starts from all', () => assert.deepEqual(sel('!web:!db'), ['lone', 'api1']));
  it('& intersects', () => assert.deepEqual(sel('web:&db'), ['web2']));
  it('unions apply before intersections and exclusions, whatever the written order', () => {
    // Left to right this would be ((web & db) ! web2) + api1 = [api1]; Ansible's order gives web2's removal last.
    assert.deepEqual(sel('web:&db:!web2:app'), []);
    assert.deepEqual(sel('!web1:&web:db'), ['web2']);
  });
  it('globs match host and group names', () => {
    assert.deepEqual(sel('web*'), ['web1', 'web2', 'web3']);
    assert.deepEqual(sel('d?'), ['web2', 'db2', 'db1']);
    assert.deepEqual(sel('*1'), ['web1', 'db1', 'api1']);
    assert.deepEqual(sel('web[!2]'), ['web1', 'web3']);
  });
  it('~ starts a regular expression anchored at the start', () => {
    assert.deepEqual(sel('~(web|db)[13]'), ['web1', 'web3', 'db1']);
    assert.deepEqual(sel('~eb'), []);
  });
  it('an invalid regular expression is an InputError', () => {
    assert.throws(() => sel('~web('), (e: unknown) => e instanceof InputError && /not a valid regular expression/.test(e.message));
  });
  it('subscripts pick hosts of a group by position (end inclusive)', () => {
    assert.deepEqual(sel('web[0]'), ['web1']);
    assert.deepEqual(sel('web[-1]'), ['web3']);
    assert.deepEqual(sel('web[0:1]'), ['web1', 'web2']);
    assert.deepEqual(sel('web[1:]'), ['web2', 'web3']);
    assert.deepEqual(sel('web[1:]:!web3'), ['web2']);
    assert.deepEqual(sel('web[7]'), []);
  });
  it('a part matching nothing is ignored', () => {
    assert.deepEqual(sel('nosuch:db1'), ['db1']);
    assert.deepEqual(sel('nosuch'), []);
    assert.deepEqual(sel('web:!nosuch'), ['web1', 'web2', 'web3']);
    assert.deepEqual(sel(''), []);
  });
  it('a group wins over a host of the same name', () => {
    const both = loadInventory(tmpInventory({ 'hosts.yml': 'all:\n  hosts:\n    web:\n  children:\n    web:\n      hosts: {w1: }\n' }));
    assert.deepEqual(selectHosts(both, 'web'), ['w1']);
    assert.match(both.warnings!.join('\n'), /"web" is both a group and a host/);
  });
  it('localhost is selectable when not declared (implicit localhost), with local connection and all vars', () => {
    assert.deepEqual(sel('localhost'), ['localhost']);
    assert.deepEqual(sel('web1:localhost'), ['web1', 'localhost']);
    assert.deepEqual(sel('all'), sel('all').filter((h) => h !== 'localhost'));
    const e = hostEntry(inv, 'localhost')!;
    assert.equal(e.implicit, true);
    assert.deepEqual(e.vars, { x: 1, ansible_connection: 'local' });
    assert.equal(hostEntry(inv, 'nosuch'), undefined);
    assert.equal(hostEntry(inv, 'db1'), inv.hosts.get('db1'));
  });
  it('splitPattern splits on commas when present, else on colons outside brackets', () => {
    assert.deepEqual(splitPattern('a:b[1:2]:!c'), ['a', 'b[1:2]', '!c']);
    assert.deepEqual(splitPattern(' a , &b '), ['a', '&b']);
  });
});
