import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory, Vars } from '../inventory/model.js';
import { writeBackSpecs, findHostPath } from './writeback.js';
import { setSpecs } from './specs-edit.js';

const COMMENTED = `# Production fleet: edited by hand, keep the comments!
all:
  vars:
    ansible_user: deploy   # never root

  hosts:
    web1:
      ansible_host: "203.0.113.10"  # rack 4
      specs:
        cpu: 1
        memory_mb: 512
    web2: {ansible_host: '203.0.113.11'}
  children:
    db:
      hosts:
        db1:
`;

function fakeInventory(dir: string, file: string, hosts: Record<string, Vars>): Inventory {
  return {
    path: file,
    dir,
    file,
    hosts: new Map(Object.entries(hosts).map(([name, vars]) => [name, { name, groups: ['all'], vars, loc: { file, line: 1, col: 1 } }])),
    groups: new Map(),
  };
}

const facts = (cpu: number) => ({ cpu, memory_mb: 1994, disk_gb: 20, disk_free_gb: 12 });

test('write-back keeps every byte outside the specs blocks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-'));
  const file = join(dir, 'fleet.yml');
  writeFileSync(file, COMMENTED);
  const inv = fakeInventory(dir, file, { web1: { specs: { cpu: 1, memory_mb: 512 } }, web2: {}, db1: {} });
  const now = new Date('2026-11-23T17:00:00Z');
  const res = writeBackSpecs(
    inv,
    new Map([
      ['web1', facts(2)],
      ['web2', facts(2)],
      ['db1', facts(4)],
    ]),
    { check: false, now, backupDir: join(dir, 'bk') },
  );
  assert.deepEqual(res.written, [file]);
  const after = readFileSync(file, 'utf8');
  // Remove the specs blocks we wrote: what remains must be the original minus its old specs block.
  const strip = (t: string) => t.replace(/\n *specs:\n( {8,}.*\n)+/g, '\n').replace(/, specs: \{[^}]*\}/, '');
  assert.equal(strip(after), strip(COMMENTED));
  assert.match(
    after,
    /web1:\n {6}ansible_host: "203.0.113.10" {2}# rack 4\n {6}specs:\n {8}cpu: 2\n {8}memory_mb: 1994\n {8}disk_gb: 20\n {8}detected_at: "2026-11-23T17:00:00Z"\n/,
  );
  assert.match(after, /db1:\n {10}specs:\n {12}cpu: 4/);
  assert.equal(res.mismatches.length, 1);
  assert.match(res.mismatches[0], /web1: inventory says cpu=1 memory_mb=512 disk_gb=\?, detected cpu=2 memory_mb=1994 disk_gb=20/);
  assert.equal(readdirSync(join(dir, 'bk')).length, 1, 'the previous version is kept as a backup');
});

test('unchanged hardware leaves the file untouched (content and mtime)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-'));
  const file = join(dir, 'fleet.yml');
  writeFileSync(file, COMMENTED);
  const inv = fakeInventory(dir, file, { web1: {} });
  writeBackSpecs(inv, new Map([['web1', facts(2)]]), { check: false, backupDir: join(dir, 'bk') });
  const old = new Date('2020-01-01T00:00:00Z');
  utimesSync(file, old, old);
  const before = readFileSync(file, 'utf8');
  const res = writeBackSpecs(inv, new Map([['web1', facts(2)]]), { check: false, backupDir: join(dir, 'bk') });
  assert.deepEqual(res.written, []);
  assert.equal(readFileSync(file, 'utf8'), before);
  assert.equal(statSync(file).mtimeMs, old.getTime());
});

test('check mode writes nothing but says what it would write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-'));
  const file = join(dir, 'fleet.yml');
  writeFileSync(file, COMMENTED);
  const res = writeBackSpecs(fakeInventory(dir, file, { web2: {} }), new Map([['web2', facts(8)]]), {
    check: true,
    backupDir: join(dir, 'bk'),
  });
  assert.equal(readFileSync(file, 'utf8'), COMMENTED);
  assert.equal(res.changes.length, 1);
  assert.equal(res.changes[0].specs.cpu, 8);
});

test('a directory inventory writes host_vars/HOST.yml, keeping what the file held', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-'));
  mkdirSync(join(dir, 'host_vars'));
  writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    a:\n    b:\n');
  writeFileSync(join(dir, 'host_vars', 'a.yml'), '# a is special\nrole: web\n');
  const inv = { ...fakeInventory(dir, join(dir, 'hosts.yml'), { a: {}, b: {} }), path: dir };
  const res = writeBackSpecs(
    inv,
    new Map([
      ['a', facts(2)],
      ['b', facts(3)],
    ]),
    { check: false, backupDir: join(dir, 'bk') },
  );
  assert.equal(res.written.length, 2);
  assert.match(readFileSync(join(dir, 'host_vars', 'a.yml'), 'utf8'), /^# a is special\nrole: web\nspecs:\n {2}cpu: 2\n/);
  assert.match(readFileSync(join(dir, 'host_vars', 'b.yml'), 'utf8'), /^specs:\n {2}cpu: 3\n/);
  assert.equal(readFileSync(join(dir, 'hosts.yml'), 'utf8'), 'all:\n  hosts:\n    a:\n    b:\n');
});

test('ten hosts of one file gathered together are all recorded', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-'));
  const file = join(dir, 'ten.yml');
  const names = Array.from({ length: 10 }, (_, i) => `h${i + 1}`);
  writeFileSync(file, `all:\n  hosts:\n${names.map((n) => `    ${n}:\n      ansible_host: 198.18.0.${names.indexOf(n) + 2}\n`).join('')}`);
  const inv = fakeInventory(dir, file, Object.fromEntries(names.map((n) => [n, {}])));
  writeBackSpecs(inv, new Map(names.map((n, i) => [n, facts(i + 1)])), { check: false, backupDir: join(dir, 'bk') });
  const text = readFileSync(file, 'utf8');
  for (const [i, n] of names.entries())
    assert.match(text, new RegExp(`${n}:\\n {6}ansible_host: [0-9.]+\\n {6}specs:\\n {8}cpu: ${i + 1}\\n`));
});

test('findHostPath prefers the entry that already holds specs', () => {
  const t = 'all:\n  children:\n    a:\n      hosts:\n        h: {x: 1}\n    b:\n      hosts:\n        h:\n          specs: {cpu: 1}\n';
  assert.deepEqual(findHostPath(t, 'h'), ['all', 'children', 'b', 'hosts', 'h']);
  assert.equal(
    setSpecs('h: 1\n', [], { cpu: 1, memory_mb: 2, disk_gb: 3, detected_at: 'x' }),
    'h: 1\nspecs:\n  cpu: 1\n  memory_mb: 2\n  disk_gb: 3\n  detected_at: "x"\n',
  );
});
