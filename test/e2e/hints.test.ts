/** `--syntax-check` teaches: facts it needs, Ansible modules chom-play lacks (no lab: no host is contacted). */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './harness.js';

function project(play: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chom-hints-'));
  writeFileSync(join(dir, 'hosts.yml'), 'all:\n  hosts:\n    web1:\n      ansible_host: 198.18.255.1\n');
  writeFileSync(join(dir, 'site.yml'), play);
  return dir;
}

const play = (gather: boolean, task: string): string => `- hosts: all\n  gather_facts: ${gather}\n  tasks:\n    - name: t\n${task}`;

test('syntax-check says a fact needs gather_facts, at the task', async () => {
  const dir = project(play(false, '      copy:\n        content: "{{ ansible_distribution }}"\n        dest: /tmp/x\n'));
  const r = await runCli(['--syntax-check', '-i', 'hosts.yml', 'site.yml'], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /site\.yml:4:7: variable "ansible_distribution" is not defined/);
  assert.match(r.stderr, /hint: ansible_distribution is a fact: gather_facts is false in this play/);
});

test('syntax-check refuses a fact name chom-play never gathers, even when the play gathers facts', async () => {
  const dir = project(play(true, '      copy:\n        content: "{{ ansible_facts.distro }}"\n        dest: /tmp/x\n'));
  const r = await runCli(['--syntax-check', '-i', 'hosts.yml', 'site.yml'], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /site\.yml:4:7: .*ansible_facts\.distro/);
  assert.match(r.stderr, /not gathered by chom-play: close names: ansible_facts\.distribution/);
  const ok = await runCli(
    ['--syntax-check', '-i', 'hosts.yml', 'site.yml'],
    project(play(true, '      copy:\n        content: "{{ ansible_facts.distribution }}"\n        dest: /tmp/x\n')),
  );
  assert.equal(ok.code, 0, ok.stderr);
});

test('syntax-check names an Ansible module chom-play lacks by its full name', async () => {
  const dir = project(play(false, '      ansible.builtin.unarchive:\n        src: a.tgz\n        dest: /opt\n'));
  const r = await runCli(['--syntax-check', '-i', 'hosts.yml', 'site.yml'], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /site\.yml:5:7: task "t": ansible\.builtin\.unarchive exists in Ansible but is not implemented in chom-play yet/);
});

test('syntax-check lets a fact through in a play that gathers with an explicit setup task', async () => {
  const tasks = '      setup:\n    - name: u\n      copy:\n        content: "{{ ansible_distribution }}"\n        dest: /tmp/x\n';
  const r = await runCli(['--syntax-check', '-i', 'hosts.yml', 'site.yml'], project(play(false, tasks)));
  assert.equal(r.code, 0, r.stderr);
});
