import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managedPaths } from './paths.js';
import { REPO } from './proc.js';
import { stateReadCommand } from './tools.js';

test('bench state read: every path the bench playbook manages, contents hashed only for file-content tasks', () => {
  const p = managedPaths(join(REPO, 'bench', 'project'), 'bench.yml');
  for (const path of [
    '/etc/benchapp',
    '/etc/nginx/sites-enabled/benchapp.conf',
    '/var/lib/benchapp/initial.conf',
    '/etc/benchapp/old.conf',
    '/usr/local/bin/benchapp',
  ]) {
    assert.ok(p.stat.includes(path), `${path} is read`);
  }
  assert.equal(new Set(p.stat).size, p.stat.length, 'each path once, though four tasks edit benchapp.conf');
  assert.deepEqual([...p.hash].sort(), [
    '/etc/benchapp/benchapp.conf',
    '/etc/benchapp/motd',
    '/etc/nginx/sites-available/benchapp.conf',
    '/etc/prometheus/prometheus.yml',
    '/etc/systemd/system/benchapp.service',
    '/opt/benchapp/bin/benchapp-start',
  ]);
});

test('bench state read: a path with a space reaches the host as one word; a templated path is refused', () => {
  assert.match(
    stateReadCommand({ stat: ['/etc/a b'], hash: ['/etc/a b'] }),
    /stat -c '[^']*' -- '\/etc\/a b' .*sha256sum -- '\/etc\/a b' /,
  );
  const dir = mkdtempSync(join(tmpdir(), 'bench-paths-'));
  try {
    writeFileSync(
      join(dir, 'pb.yml'),
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - file: {path: "/etc/{{ x }}", state: directory}\n',
    );
    assert.throws(() => managedPaths(dir, 'pb.yml'), /templated.*use a literal path/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
