import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkHostName, confinedPath, hostNameProblem } from './hostname.js';
import { loadInventory } from './load.js';

test('host names that would escape a folder or read as options are refused, as in Ansible', () => {
  for (const bad of ['../x', 'a/b', '..', '.', '-oProxyCommand=x', 'a\0b', '../../x']) assert.ok(hostNameProblem(bad), bad);
  for (const ok of ['web1', 'db-1.example.com', 'a..b', 'host_2', '10.0.0.1']) assert.equal(hostNameProblem(ok), undefined, ok);
  assert.throws(() => checkHostName('../x'), /invalid host name "..\/x": contains "\/"/);
});

test('a path built from a host name stays in its folder', () => {
  assert.equal(confinedPath('/inv/host_vars', 'web1', '.yml'), '/inv/host_vars/web1.yml');
  assert.throws(() => confinedPath('/inv/host_vars', '../x', '.yml'), /would leave/);
  assert.throws(() => confinedPath('/inv/host_vars', 'a/b', '.yml'), /would leave/);
});

test('an INI inventory and a -i host list refuse the same host names, at the line that names them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chom-hostname-'));
  try {
    for (const [i, bad] of ['../x', 'a/b', '-oProxyCommand=x'].entries()) {
      const d = join(dir, String(i));
      mkdirSync(d);
      writeFileSync(join(d, 'hosts'), `[web]\nweb1\n${bad} ansible_host=10.0.0.1\n`);
      assert.throws(
        () => loadInventory(join(d, 'hosts')),
        (e: Error & { loc?: { file: string; line: number } }) => /invalid host name/.test(e.message) && e.loc?.line === 3,
        `INI: ${bad}`,
      );
      assert.throws(() => loadInventory(`web1,${bad},`, dir), /invalid host name/, `host list: ${bad}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
