import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { hostVarsFiles, loadInventory } from './load.js';
import { cleanup, tmpInventory } from './tmpinv.js';

after(cleanup);

const HOSTS = `all:
  vars:
    site: prod
  hosts:
    lone:
  children:
    web:
      hosts:
        web1:
          ansible_host: 10.0.0.1
        web2:
    db:
      hosts:
        db1:
`;

describe('loadInventory', () => {
  it('reads a directory: hosts.yml, group_vars and host_vars', () => {
    const dir = tmpInventory({ 'hosts.yml': HOSTS, 'group_vars/web.yml': 'http_port: 80\n', 'host_vars/db1.yml': 'role: primary\n' });
    const inv = loadInventory(dir);
    assert.equal(inv.file, join(dir, 'hosts.yml'));
    assert.equal(inv.dir, dir);
    assert.deepEqual([...inv.hosts.keys()], ['lone', 'web1', 'web2', 'db1']);
    assert.deepEqual(inv.hosts.get('web1')!.vars, { site: 'prod', ansible_host: '10.0.0.1', http_port: 80 });
    assert.deepEqual(inv.hosts.get('db1')!.vars, { site: 'prod', role: 'primary' });
  });

  it('reads hosts.yaml when there is no hosts.yml', () => {
    const inv = loadInventory(tmpInventory({ 'hosts.yaml': HOSTS }));
    assert.equal(inv.hosts.size, 4);
  });

  it('reads a single file, with group_vars and host_vars next to it', () => {
    const dir = tmpInventory({ 'prod.yml': HOSTS, 'group_vars/all/common.yml': 'ntp: pool.ntp.org\n', 'host_vars/web2': 'weight: 5\n' });
    const inv = loadInventory(join(dir, 'prod.yml'));
    assert.equal(inv.file, join(dir, 'prod.yml'));
    assert.equal(inv.dir, dir);
    assert.equal(inv.hosts.get('lone')!.vars.ntp, 'pool.ntp.org');
    assert.equal(inv.hosts.get('web2')!.vars.weight, 5);
  });

  it('lists groups with every host below them, in declaration order', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  children:\n    app:\n      children:\n        web:\n          hosts: {w2: , w1: }\n        api:\n          hosts: {a1: }\n',
    }));
    assert.deepEqual(inv.groups.get('app')!.hosts, ['w2', 'w1', 'a1']);
    assert.deepEqual(inv.groups.get('app')!.children, ['web', 'api']);
    assert.deepEqual(inv.groups.get('all')!.hosts, ['w2', 'w1', 'a1']);
    assert.deepEqual(inv.hosts.get('a1')!.groups, ['all', 'app', 'api']);
  });

  it('puts hosts of no group in ungrouped, and only those', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  hosts:\n    lone:\n    both:\n  children:\n    ungrouped:\n      hosts:\n        stray:\n    web:\n      hosts:\n        both:\n',
    }));
    assert.deepEqual(inv.groups.get('ungrouped')!.hosts, ['lone', 'stray']);
    assert.deepEqual(inv.hosts.get('both')!.groups, ['all', 'web']);
  });

  it('makes other top-level groups children of all', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'all:\n  vars: {x: 1}\nweb:\n  hosts:\n    w1:\ndb:\n  hosts:\n    d1:\n',
    }));
    assert.deepEqual(inv.groups.get('all')!.children, ['web', 'db', 'ungrouped']);
    assert.deepEqual(inv.hosts.get('d1')!.vars, { x: 1 });
    assert.deepEqual(inv.groups.get('web')!.hosts, ['w1']);
  });

  it('merges a group declared twice', () => {
    const inv = loadInventory(tmpInventory({
      'hosts.yml': 'web:\n  hosts: {w1: }\n  vars: {a: 1}\nall:\n  children:\n    web:\n      hosts: {w2: }\n      vars: {b: 2}\n',
    }));
    assert.deepEqual(inv.groups.get('web')!.hosts, ['w1', 'w2']);
    assert.deepEqual(inv.groups.get('web')!.vars, { a: 1, b: 2 });
  });

  it('expands host ranges, keeping zero padding', () => {
    const inv = loadInventory(tmpInventory({ 'hosts.yml': 'all:\n  hosts:\n    www[08:10].example.com:\n      x: 1\n    db-[a:c]:\n' }));
    assert.deepEqual([...inv.hosts.keys()], ['www08.example.com', 'www09.example.com', 'www10.example.com', 'db-a', 'db-b', 'db-c']);
    assert.equal(inv.hosts.get('www09.example.com')!.vars.x, 1);
    assert.equal(inv.hosts.get('db-b')!.yamlPath, undefined);
  });

  it('reads `host:port` keys as ansible_port, explicit ansible_port winning', () => {
    const inv = loadInventory(tmpInventory({ 'hosts.yml': 'all:\n  hosts:\n    h1:2222:\n    h2:2222:\n      ansible_port: 22\n' }));
    assert.equal(inv.hosts.get('h1')!.vars.ansible_port, 2222);
    assert.equal(inv.hosts.get('h2')!.vars.ansible_port, 22);
  });

  it('records where each host is declared and its YAML path', () => {
    const dir = tmpInventory({ 'hosts.yml': HOSTS });
    const inv = loadInventory(dir);
    const web2 = inv.hosts.get('web2')!;
    assert.deepEqual(web2.loc, { file: join(dir, 'hosts.yml'), line: 11, col: 9 });
    assert.deepEqual(web2.yamlPath, ['all', 'children', 'web', 'hosts', 'web2']);
    assert.deepEqual(inv.hosts.get('lone')!.yamlPath, ['all', 'hosts', 'lone']);
  });

  it('hostVarsFiles lists the host_vars files read, dir entries first', () => {
    const dir = tmpInventory({ 'hosts.yml': HOSTS, 'host_vars/web1/b.yml': 'b: 1\n', 'host_vars/web1/a.yml': 'a: 1\n', 'host_vars/web1.yaml': 'c: 1\n' });
    const inv = loadInventory(dir);
    assert.deepEqual(hostVarsFiles(inv, 'web1'), [join(dir, 'host_vars/web1/a.yml'), join(dir, 'host_vars/web1/b.yml'), join(dir, 'host_vars/web1.yaml')]);
    assert.deepEqual(hostVarsFiles(inv, 'web2'), []);
    assert.deepEqual(hostVarsFiles(inv, 'nobody'), []);
  });

  it('warns about vars files for unknown hosts and groups, with a suggestion', () => {
    const dir = tmpInventory({ 'hosts.yml': HOSTS, 'host_vars/web3.yml': 'a: 1\n', 'group_vars/webs.yml': 'a: 1\n' });
    const inv = loadInventory(dir);
    assert.deepEqual(inv.warnings, [
      `${join(dir, 'group_vars/webs.yml')}: no group "webs" in the inventory, its variables are not used; did you mean "web"?`,
      `${join(dir, 'host_vars/web3.yml')}: no host "web3" in the inventory, its variables are not used; did you mean "web1"?`,
    ]);
  });

  it('accepts an empty inventory file', () => {
    const inv = loadInventory(tmpInventory({ 'hosts.yml': '# nothing yet\n' }));
    assert.equal(inv.hosts.size, 0);
    assert.deepEqual(inv.groups.get('all')!.hosts, []);
  });
});
