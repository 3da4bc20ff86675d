import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../errors.js';
import { validateArgsWith } from './args.js';
import type { Task } from './model.js';
import { registryOf } from './registry.js';
import { fakeModules } from './testkit.js';

const modules = fakeModules();
const task = (module: string, args: Record<string, unknown>): Task => ({
  name: 'T',
  module,
  args,
  loc: { file: 'p.yml', line: 3, col: 7 },
  tags: [],
  when: [],
  loopVar: 'item',
  notify: [],
  ignoreErrors: false,
  noLog: false,
  vars: {},
  listen: [],
  keyLocs: {},
  argLocs: Object.fromEntries(Object.keys(args).map((k, i) => [k, { file: 'p.yml', line: 4 + i, col: 9 }])),
});

describe('validateArgs', () => {
  it('accepts a template for any type before rendering, and checks it after', () => {
    const t = task('apt', { name: 'nginx', update_cache: '{{ refresh }}', state: '{{ st }}' });
    validateArgsWith(t, t.args, false, modules);
    assert.throws(
      () => validateArgsWith(t, { name: 'nginx', update_cache: 'maybe' }, true, modules),
      /apt argument "update_cache" must be a boolean/,
    );
  });

  it('turns yes/no into booleans and numeric strings into numbers', () => {
    const args = { name: 'x', update_cache: 'yes', cache_valid_time: '3600' };
    validateArgsWith(task('apt', args), args, true, modules);
    assert.deepEqual(args, { name: 'x', update_cache: true, cache_valid_time: 3600 });
  });

  it('points at the argument that is wrong', () => {
    const t = task('apt', { name: 'x', state: 'absnt' });
    assert.throws(
      () => validateArgsWith(t, t.args, false, modules),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.deepEqual(e.loc, { file: 'p.yml', line: 5, col: 9 });
        assert.equal(
          e.message,
          'task "T": apt argument "state" must be one of "present", "absent", "latest"; got "absnt"; did you mean "absent"?',
        );
        return true;
      },
    );
  });

  it('explains a list item of the wrong type', () => {
    const t = task('apt', { name: ['a', { x: 1 }] });
    assert.throws(() => validateArgsWith(t, t.args, false, modules), /apt argument "name\[1\]" must be a string, got a mapping/);
  });

  it('refuses an unknown module with a suggestion', () => {
    assert.throws(() => validateArgsWith(task('coppy', {}), {}, false, modules), /unknown module "coppy"; did you mean "copy"\?/);
  });
});

describe('validateArgs with schemas written like the real modules', () => {
  const BOOL = { anyOf: [{ type: 'boolean' }, { enum: ['yes', 'no', 'true', 'false'] }] };
  const real = registryOf([
    {
      name: 'svc',
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { name: { type: 'string' }, enabled: BOOL, state: { enum: ['started', 'stopped'] } },
      },
      compile: () => ':',
    },
  ]);

  it('explains a union of boolean and words', () => {
    const t = task('svc', { name: 'x', enabled: 'maybe' });
    assert.throws(
      () => validateArgsWith(t, t.args, true, real),
      /svc argument "enabled" must be a boolean or one of "yes", "no", "true", "false"; got "maybe"/,
    );
  });

  it('explains an enum without a type, with a suggestion', () => {
    const t = task('svc', { name: 'x', state: 'startd' });
    assert.throws(
      () => validateArgsWith(t, t.args, false, real),
      /svc argument "state" must be one of "started", "stopped"; got "startd"; did you mean "started"\?/,
    );
  });
});
