import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../errors.js';
import type { Task } from '../playbook/model.js';
import { hostFactsOf, refuseRuntimeValues } from './runtime-values.js';

const at = (line: number, col: number) => ({ file: 'site.yml', line, col });

function task(module: string, args: Record<string, unknown>, extra: Partial<Task> = {}): Task {
  return {
    name: 't',
    module,
    args,
    loc: at(1, 3),
    tags: [],
    when: [],
    loopVar: 'item',
    notify: [],
    ignoreErrors: false,
    noLog: false,
    vars: {},
    listen: [],
    keyLocs: {},
    argLocs: Object.fromEntries(Object.keys(args).map((k, i) => [k, at(5 + i, 9)])),
    ...extra,
  } as Task;
}

const reg = new Set(['st']);

test('an argument templating a registered value is refused at the argument, saying it needs a run-time value', () => {
  assert.throws(
    () => refuseRuntimeValues(task('copy', { dest: '/x', content: '{{ st.stat.size }}' }), reg),
    (e: unknown) =>
      e instanceof InputError &&
      e.loc?.line === 6 &&
      /argument "content" uses "st".*needs a run-time value; not supported yet/.test(e.message),
  );
});

test('loops and task vars over registered values are refused too', () => {
  assert.throws(
    () => refuseRuntimeValues(task('debug', { msg: 'x' }, { loop: '{{ st.files }}', keyLocs: { loop: at(9, 5) } }), reg),
    (e: unknown) => e instanceof InputError && e.loc?.line === 9 && /loop uses "st"/.test(e.message),
  );
  assert.throws(
    () => refuseRuntimeValues(task('debug', { msg: 'x' }, { vars: { n: '{% if st.stat.exists %}1{% endif %}' } }), reg),
    /vars uses "st"/,
  );
});

test('conditions, quoted text, attribute names and other variables are not run-time values', () => {
  refuseRuntimeValues(task('assert', { that: ['st.stat.exists'], fail_msg: 'no st here' }), reg);
  refuseRuntimeValues(task('copy', { dest: '/x', content: "{{ 'st' }} {{ other.st }} {{ first }}" }), reg);
  refuseRuntimeValues(task('copy', { dest: '/x', content: '{{ st }}' }), new Set());
});

test("getent's facts used later (when, arguments, ansible_facts[...]) are refused: the host sets them at run time", () => {
  const facts = new Set(hostFactsOf(task('getent', { database: 'passwd', key: 'bob' })));
  assert.deepEqual([...facts], ['getent_passwd']);
  assert.throws(
    () =>
      refuseRuntimeValues(
        task('user', { name: 'bob' }, { when: ["'bob' in getent_passwd"], keyLocs: { when: at(12, 5) } }),
        new Set(),
        facts,
      ),
    (e: unknown) => e instanceof InputError && e.loc?.line === 12 && /when uses "getent_passwd".*needs a run-time value/.test(e.message),
  );
  assert.throws(
    () => refuseRuntimeValues(task('file', { path: "{{ ansible_facts['getent_passwd']['bob'][4] }}" }), new Set(), facts),
    /argument "path" uses "getent_passwd", set as a fact/,
  );
  refuseRuntimeValues(
    task('file', { path: '/home/{{ getent_group_name }}' }, { when: ['getent_passwd_ok | default(true)'] }),
    new Set(),
    facts,
  );
});
