import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHostName, confinedPath, hostNameProblem } from './hostname.js';

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
