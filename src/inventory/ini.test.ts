import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { literalEval } from './pyliteral.js';
import { shlexSplit } from './ini.js';
import { loadInventory } from './load.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-ini-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('INI values follow Python literal_eval (Ansible)', () => {
  const cases: [string, unknown][] = [
    ['22', 22], ['-3', -3], ['1_000', 1000], ['0x1F', 31], ['1.5', 1.5], ['1e3', 1000],
    ['True', true], ['False', false], ['None', null], ["'quoted'", 'quoted'], ['"a" \'b\'', 'ab'],
    ['[1, "x"]', [1, 'x']], ["{'k': [True]}", { k: [true] }], ['(1, 2)', [1, 2]], ['1,2', [1, 2]], ['(7)', 7],
  ];
  for (const [text, want] of cases) it(`${text} -> ${JSON.stringify(want)}`, () => assert.deepEqual(literalEval(text), { ok: true, value: want }));
  for (const text of ['yes', 'true', '0644', '10.0.0.1', 'hello world', '1 + 2', '[1,', 'a=b', '']) {
    it(`${JSON.stringify(text)} stays a string`, () => assert.deepEqual(literalEval(text), { ok: false }));
  }
});

describe('INI host lines are split like shlex (comments, quotes)', () => {
  it('quotes group, # starts a comment even inside a word, backslash escapes', () => {
    assert.deepEqual(shlexSplit(`h1 a=b#c d="x y"`), ['h1', 'a=b']);
    assert.deepEqual(shlexSplit(`h1 d="x y" e='it''s' f=a\\ b`), ['h1', 'd=x y', 'e=its', 'f=a b']);
  });
});

describe('INI, host-list and directory inventories', () => {
  it('groups, children, :vars, ranges, host:port and inline types as ansible-inventory shows them', () => {
    const dir = project({
      hosts: 'lonely ansible_port=2200\n\n[web]\nweb[1:2] http_port=8080 flag=True mode=0644 name="a b"\ndb1:2222\n\n[web:vars]\ngreeting = hello world\nnum = 42\n\n[prod:children]\nweb\n',
      'group_vars/prod.yml': 'gv: 1\n',
    });
    const inv = loadInventory(join(dir, 'hosts'));
    assert.deepEqual([...inv.hosts.keys()], ['lonely', 'web1', 'web2', 'db1']);
    assert.deepEqual(inv.hosts.get('web1')!.vars, { gv: 1, greeting: 'hello world', num: 42, http_port: 8080, flag: true, mode: '0644', name: 'a b' });
    assert.deepEqual(inv.hosts.get('db1')!.vars.ansible_port, 2222);
    assert.deepEqual(inv.hosts.get('lonely')!.groups, ['all', 'ungrouped']);
    assert.deepEqual(inv.groups.get('prod')!.hosts.sort(), ['db1', 'web1', 'web2']);
  });

  it('an INI error names file:line and says the file was read as INI', () => {
    const dir = project({ hosts: '[web]\nh1\n[web:oops]\n' });
    assert.throws(() => loadInventory(join(dir, 'hosts')), (e: Error & { loc?: { line: number } }) => /read as an INI inventory/.test(e.message) && e.loc?.line === 3);
  });

  it('[x:children] naming an undefined group is refused like Ansible', () => {
    const dir = project({ hosts: '[all:children]\nghost\n' });
    assert.throws(() => loadInventory(join(dir, 'hosts')), /never defined/);
  });

  it("-i 'a,b:2222,' is a host list", () => {
    const inv = loadInventory('a,b:2222,', '/tmp');
    assert.deepEqual([...inv.hosts.keys()], ['a', 'b']);
    assert.equal(inv.hosts.get('b')!.vars.ansible_port, 2222);
  });

  it('a directory mixing INI and YAML files is read in name order; several -i merge', () => {
    const dir = project({
      'inv/01-hosts': '[web]\nw1\n',
      'inv/02-more.yml': 'all:\n  children:\n    db:\n      hosts:\n        d1:\n',
      'inv/README.md': 'not an inventory',
      'inv/group_vars/web.yml': 'role: web\n',
      'extra.ini.hosts': '[db]\nd2\n',
    });
    const inv = loadInventory([join(dir, 'inv'), join(dir, 'extra.ini.hosts')]);
    assert.deepEqual([...inv.hosts.keys()], ['w1', 'd1', 'd2']);
    assert.equal(inv.hosts.get('w1')!.vars.role, 'web');
    assert.deepEqual(inv.groups.get('db')!.hosts, ['d1', 'd2']);
  });
});
