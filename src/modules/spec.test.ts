import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defineModule, normalise } from './spec.js';
import { ModuleArgError } from './types.js';
import { getModule } from './index.js';

const spec = {
  name: 'demo',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    state: { type: 'str', choices: ['present', 'absent'], default: 'present' },
    force: { type: 'bool', default: false },
    timeout: { type: 'int', min: 1 },
    groups: { type: 'list' },
    content: { type: 'str' },
    src: { type: 'str' },
    user: { type: 'str' },
    password: { type: 'str' },
  },
  mutuallyExclusive: [['content', 'src']],
  requiredTogether: [['user', 'password']],
  requiredIf: [{ arg: 'state', is: 'absent', then: ['force'] }],
  compile: () => ':',
} as const;

const norm = (raw: Record<string, unknown>): Record<string, unknown> => normalise(spec, raw);
const fails = (raw: Record<string, unknown>, re: RegExp, arg?: string): void => {
  assert.throws(
    () => norm(raw),
    (e: unknown) => e instanceof ModuleArgError && re.test(e.message) && (arg === undefined || e.arg === arg),
  );
};

describe('module argument spec: one normaliser', () => {
  it('an alias arrives under its canonical name, with defaults and Ansible booleans applied', () => {
    assert.deepEqual(norm({ dest: '/etc/x', force: 'On', groups: 'a, b,c', timeout: '30' }), {
      path: '/etc/x',
      state: 'present',
      force: true,
      timeout: 30,
      groups: ['a', 'b', 'c'],
    });
  });
  it('normalising canonical parameters again gives them back', () => {
    const once = norm({ name: '/x', force: 'yes', groups: ['a'] });
    assert.deepEqual(norm(once), once);
  });
  it('refuses the same argument under two of its names', () =>
    fails({ path: '/a', dest: '/b' }, /path and dest are the same argument/, 'dest'));
  it('refuses a missing required argument, naming it', () => fails({}, /path is required/, 'path'));
  it('refuses a value outside the choices, listing them', () =>
    fails({ path: '/a', state: 'gone' }, /state must be one of "present", "absent"; got "gone"/, 'state'));
  it('refuses a non-boolean for a bool argument', () => fails({ path: '/a', force: 'maybe' }, /force must be a boolean/, 'force'));
  it('refuses a relative remote path', () => fails({ path: 'etc/x' }, /absolute path/, 'path'));
  it('refuses an int below its minimum', () => fails({ path: '/a', timeout: 0 }, /timeout must be a whole number >= 1/, 'timeout'));
  it('mutually_exclusive names both arguments', () =>
    fails({ path: '/a', content: 'x', src: 'y' }, /content and src cannot be used together/, 'src'));
  it('required_together names what is missing', () =>
    fails({ path: '/a', user: 'u' }, /user, password go together: user given without password/));
  it('required_if applies only when the argument has that value', () => {
    assert.doesNotThrow(() => norm({ path: '/a', state: 'absent', force: true }));
    assert.doesNotThrow(() => norm({ path: '/a' }));
  });
  it('an unknown argument is refused', () => fails({ path: '/a', colour: 'red' }, /demo has no argument "colour"/, 'colour'));
});

describe('defineModule: the registry shape', () => {
  it('gives the loader a schema that accepts every alias and refuses unknown keys', () => {
    const def = defineModule({ name: 'd', args: { path: { type: 'path', aliases: ['dest'] } }, compile: (p) => `: ${p.path ?? ''}` });
    const props = (def.schema as { properties: Record<string, unknown>; additionalProperties: boolean }).properties;
    assert.deepEqual(Object.keys(props), ['path', 'dest']);
    assert.equal((def.schema as { additionalProperties: boolean }).additionalProperties, false);
    assert.equal(def.compile({ dest: '/x' }, { taskId: 1, taskName: 't', loc: { file: 'f', line: 1, col: 1 } }), ': /x');
  });
  it('a module in the old shape (JSON schema, raw args) still registers and compiles as before', () => {
    const cmd = getModule('command');
    assert.ok(cmd);
    assert.equal(typeof cmd.compile, 'function');
    assert.ok(cmd.schema.properties);
  });
  it('copy and template declare src as a controller-side input instead of being special-cased by name', () => {
    assert.deepEqual(getModule('copy')?.inputs, { src: 'file' });
    assert.deepEqual(getModule('template')?.inputs, { src: 'template' });
  });
});
