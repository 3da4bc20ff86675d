import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generated } from './generated.js';
import { newAjv, runtimeCompiles, validatorFor, type SchemaSet } from './precompiled.js';
import { loadPlaybook } from '../playbook/index.js';
import { loadInventory } from '../inventory/load.js';
import { PLAYBOOK_SCHEMAS, PLAYBOOK_SET } from '../playbook/schema.js';
import { INVENTORY_SCHEMAS, INVENTORY_SET } from '../inventory/schema.js';
import { ARGS_SET } from '../playbook/args.js';
import { getModule, moduleNames } from '../modules/index.js';

const Ajv = (createRequire(import.meta.url)('ajv') as { default: Parameters<typeof newAjv>[1] }).default;
const root = join(import.meta.dirname, '../../..');

test('a clean build reads the bench playbook and an inventory without compiling any schema at run time', () => {
  const before = runtimeCompiles();
  const pb = loadPlaybook(join(root, 'bench/project/bench.yml'));
  assert.ok(pb.plays.length > 0);
  const dir = mkdtempSync(join(tmpdir(), 'chom-ajv-'));
  writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    h1:\n      ansible_host: 127.0.0.1\n');
  loadInventory(join(dir, 'hosts.yml'));
  assert.equal(runtimeCompiles() - before, 0, 'every schema the bench run needs was generated at build time');
});

test('a schema that differs from the one built (edited after the build, or a test registry) is compiled at run time', () => {
  const before = runtimeCompiles();
  const changed = { type: 'object', properties: { only: { type: 'string' } }, additionalProperties: false };
  const v = validatorFor(ARGS_SET, 'copy', changed);
  assert.equal(runtimeCompiles() - before, 1);
  assert.equal(v({ only: 'x' }), true);
  assert.equal(v({ dest: '/x' }), false, 'the new schema, not the generated copy one, decides');
});

/** Inputs that exercise types, unknown keys, enums and coercion. */
const samples: unknown[] = [
  {},
  null,
  'text',
  [],
  { name: 'x' },
  { name: 3 },
  { bogus: 1 },
  { hosts: 'all', tasks: [] },
  { hosts: ['a', 1] },
  { become: 'yes' },
  { become: 'maybe' },
  { state: 'present' },
  { state: 'nope' },
  { mode: '0644' },
  { mode: 420 },
  { all: { hosts: { h1: null } } },
  { all: { hosts: ['h1'] } },
  { all: { children: { web: { vars: 3 } } } },
  { path: '/x', owner: '' },
  { dest: '/x', content: 'a', backup: 'yes' },
  { cmd: 'ls', creates: 1 },
];

function sameAsAjv(set: SchemaSet, schemas: Record<string, object>): void {
  const ajv = newAjv(set, Ajv);
  for (const [name, schema] of Object.entries(schemas)) {
    const built = generated[set.id]?.[name];
    assert.ok(built, `${set.id}/${name} was generated`);
    const compiled = ajv.compile(schema);
    for (const sample of samples) {
      const a = structuredClone(sample);
      const b = structuredClone(sample);
      const ok: boolean = built.validate(a);
      assert.equal(ok, compiled(b), `${set.id}/${name} on ${JSON.stringify(sample)}`);
      assert.deepEqual(a, b, `${set.id}/${name} coerces ${JSON.stringify(sample)} the same`);
      if (!ok) assert.deepEqual(built.validate.errors, compiled.errors, `${set.id}/${name} errors on ${JSON.stringify(sample)}`);
    }
  }
}

test('generated validators accept, reject, coerce and report exactly as ajv.compile does', () => {
  sameAsAjv(PLAYBOOK_SET, PLAYBOOK_SCHEMAS);
  sameAsAjv(INVENTORY_SET, INVENTORY_SCHEMAS);
  const mods: Record<string, object> = {};
  for (const n of moduleNames()) {
    const m = getModule(n);
    if (m) mods[m.name] = m.schema;
  }
  assert.ok(Object.keys(mods).length >= 20);
  sameAsAjv(ARGS_SET, mods);
});
