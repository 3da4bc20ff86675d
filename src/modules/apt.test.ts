import { test } from 'node:test';
import assert from 'node:assert/strict';
import apt from './apt.js';
import { ModuleArgError } from './types.js';
import { compileWith, syntaxError } from '../../test/system-modules/harness.js';

// Runs on a real host: test/e2e/system-modules.test.ts. Here: what the compiler accepts and emits.

test('apt compiles to valid bash for every state and option', () => {
  const cases: Array<Record<string, unknown>> = [
    { name: 'tree' },
    { name: ['tree', 'hello=2.10-3'], state: 'present', install_recommends: false },
    { pkg: 'tree,hello', state: 'latest', update_cache: true, cache_valid_time: 3600 },
    { name: 'tree', state: 'absent', purge: true, autoremove: true },
    { update_cache: 'yes' },
    { autoremove: true },
  ];
  for (const c of cases) assert.equal(syntaxError(compileWith(apt, c)), '', JSON.stringify(c));
});

test('apt runs non-interactively and keeps existing config files', () => {
  const body = compileWith(apt, { name: 'tree' });
  assert.match(body, /DEBIAN_FRONTEND=noninteractive/);
  assert.match(body, /--force-confdef/);
  assert.match(body, /--force-confold/);
});

test('apt refuses package names that are not package names', () => {
  for (const name of ['-y', 'a b', '$(id)', 'tree;ls']) assert.throws(() => compileWith(apt, { name }), ModuleArgError, name);
  assert.throws(() => compileWith(apt, {}), /give name/);
});
