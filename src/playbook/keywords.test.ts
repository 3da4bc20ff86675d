import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { loadPlaybookWith } from './load.js';
import type { Playbook } from './model.js';
import { fakeModules } from './testkit.js';

const dir = mkdtempSync(join(tmpdir(), 'chom-kw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function load(yml: string): Playbook {
  writeFileSync(join(dir, 'site.yml'), yml);
  return loadPlaybookWith(join(dir, 'site.yml'), { modules: fakeModules() });
}

function loadErr(yml: string): InputError {
  try {
    load(yml);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  assert.fail('loading succeeded');
}

describe('typed keywords, checked once by the loader', () => {
  it('every spelling the schema accepts for a boolean keyword is one src/bool.ts reads', () => {
    for (const [word, want] of [
      ['"On"', true],
      ['"Y"', true],
      ['"t"', true],
      ['1', true],
      ['"OFF"', false],
      ['"n"', false],
      ['0', false],
    ] as const) {
      assert.equal(load(`- hosts: all\n  become: ${word}\n  tasks: []\n`).plays[0].become, want, word);
    }
    assert.match(loadErr('- hosts: all\n  become: perhaps\n  tasks: []\n').message, /must be a boolean/);
  });
  it('a bad retries is refused at the retries key, not at the task', () => {
    const e = loadErr('- hosts: all\n  tasks:\n    - command: id\n      register: r\n      until: r.rc == 0\n      retries: -1\n');
    assert.match(e.message, /retries must be a whole number >= 0/);
    assert.deepEqual([e.loc?.line, e.loc?.col], [6, 7]);
  });
  it('delay without retries or until is refused at the delay key', () => {
    const e = loadErr('- hosts: all\n  tasks:\n    - command: id\n      delay: 3\n');
    assert.match(e.message, /delay needs retries or until/);
    assert.equal(e.loc?.line, 4);
  });
  it('a templated timeout stays a template for the planner; a literal one is a number', () => {
    const t = load('- hosts: all\n  tasks:\n    - command: id\n      timeout: "{{ t }}"\n    - command: id\n      timeout: "30"\n').plays[0]
      .tasks;
    assert.equal(t[0].timeout, '{{ t }}');
    assert.equal(t[1].timeout, 30);
  });
  it('serial and max_fail_percentage are checked at their keys', () => {
    assert.equal(loadErr('- hosts: all\n  serial: lots\n  tasks: []\n').loc?.line, 2);
    assert.equal(loadErr('- hosts: all\n  max_fail_percentage: 120\n  tasks: []\n').loc?.line, 2);
    const p = load('- hosts: all\n  serial: [1, "50%"]\n  max_fail_percentage: "25%"\n  any_errors_fatal: yes\n  tasks: []\n').plays[0];
    assert.deepEqual([p.serial, p.maxFailPercentage, p.anyErrorsFatal], [[1, '50%'], 25, true]);
  });
  it('check_mode and diff are typed task fields', () => {
    const t = load('- hosts: all\n  tasks:\n    - command: id\n      check_mode: "no"\n      diff: yes\n').plays[0].tasks[0];
    assert.deepEqual([t.checkMode, t.diff], [false, true]);
  });
});
