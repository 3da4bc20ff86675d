import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from '../cli/load.js';
import { preflight } from './runner.js';

/** preflight (--syntax-check, and the check before any connection) on a one-task playbook. */
function check(task: string, gather = 'yes'): void {
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    web1:\n      ansible_host: 198.18.0.2\n');
  writeFileSync(join(dir, 'pb.yml'), `- hosts: all\n  gather_facts: ${gather}\n  tasks:\n${task}`);
  const loaded = loadAll(join(dir, 'pb.yml'), { inventory: join(dir, 'hosts.yml') });
  preflight({ ...loaded, tags: [], skipTags: [] });
}

test('--syntax-check accepts facts used through Jinja2 attributes and methods in a play that gathers facts', () => {
  check("    - file: {path: /tmp/x, state: touch, mode: \"{{ '0644' if ansible_facts.hostname.endswith('-1') else '0600' }}\"}\n");
  check("    - copy: {content: x, dest: /tmp/y}\n      when: ansible_hostname.startswith('web')\n");
  check('    - copy: {content: "{{ ansible_facts.processor_vcpus * 2 }}", dest: /tmp/z}\n');
});

test('--syntax-check still refuses the same fact use in a play without facts, and a bad mode anywhere', () => {
  assert.throws(
    () => check("    - copy: {content: x, dest: /tmp/y}\n      when: ansible_facts.hostname.endswith('1')\n", 'no'),
    /ansible_facts/,
  );
  assert.throws(() => check('    - file: {path: /tmp/x, state: touch, mode: abc}\n'), /mode "abc"/);
  assert.throws(() => check('    - copy: {content: "{{ not_a_fact.upper() }}", dest: /tmp/y}\n'), /not_a_fact/);
});
