import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Task } from './model.js';
import { normTags, selectByTags } from './tags.js';

const task = (name: string, tags: string[]): Task => ({
  name,
  module: 'command',
  args: {},
  loc: { file: 'f.yml', line: 1, col: 1 },
  tags,
  when: [],
  loopVar: 'item',
  notify: [],
  ignoreErrors: false,
  noLog: false,
  vars: {},
  listen: [],
  keyLocs: {},
});

const TASKS = [
  task('plain', []),
  task('web', ['web']),
  task('db', ['db']),
  task('always', ['always']),
  task('never', ['never']),
  task('never-debug', ['never', 'debug']),
  task('always-web', ['always', 'web']),
];

// [--tags, --skip-tags, expected task names] following Ansible's taggable.evaluate_tags.
const CASES: Array<[string[], string[], string[]]> = [
  [[], [], ['plain', 'web', 'db', 'always', 'always-web']],
  [['web'], [], ['web', 'always', 'always-web']],
  [['debug'], [], ['always', 'never-debug', 'always-web']],
  [['never'], [], ['always', 'never', 'never-debug', 'always-web']],
  [['untagged'], [], ['plain', 'always', 'always-web']],
  [['tagged'], [], ['web', 'db', 'always', 'always-web']],
  [['all'], [], ['plain', 'web', 'db', 'always', 'always-web']],
  [['all', 'debug'], [], ['plain', 'web', 'db', 'always', 'never-debug', 'always-web']],
  [[], ['web'], ['plain', 'db', 'always']],
  [[], ['always'], ['plain', 'web', 'db']],
  [[], ['all'], ['always', 'always-web']],
  [[], ['all', 'always'], []],
  [[], ['tagged'], ['plain']],
  [[], ['untagged'], ['web', 'db', 'always', 'always-web']],
  [['web'], ['always'], ['web']],
  [['db', 'web'], ['db'], ['web', 'always', 'always-web']],
];

describe('selectByTags follows Ansible', () => {
  for (const [tags, skip, expected] of CASES) {
    it(`--tags ${tags.join(',') || '(none)'} --skip-tags ${skip.join(',') || '(none)'}`, () => {
      assert.deepEqual(
        selectByTags(TASKS, tags, skip).map((t) => t.name),
        expected,
      );
    });
  }
});

describe('tags as written', () => {
  it('accepts a string, a comma string, numbers and lists, without duplicates', () => {
    assert.deepEqual(normTags('web'), ['web']);
    assert.deepEqual(normTags('web, db'), ['web', 'db']);
    assert.deepEqual(normTags(['a', 'b,c', 3, 'a']), ['a', 'b', 'c', '3']);
    assert.deepEqual(normTags(undefined), []);
  });
});
