import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { closeFacts, gatheredLater, withFactHint } from './facts.js';
import { ansibleModule, notImplementedMessage } from './modules.js';

const undef = (name: string, hint?: string): InputError =>
  new InputError(`variable "${name}" is not defined in "{{ ${name} }}"`, { file: 'site.yml', line: 4, col: 7 }, hint);

const hintOf = (err: unknown): string | undefined => (err as InputError).hint;

test('a gathered fact used in a play without facts says gather_facts is false there', () => {
  const e = withFactHint(undef('ansible_distribution'), false);
  assert.match(hintOf(e) ?? '', /^ansible_distribution is a fact: gather_facts is false in this play/);
  assert.deepEqual((e as InputError).loc, { file: 'site.yml', line: 4, col: 7 });
  assert.match(
    hintOf(withFactHint(undef('ansible_facts.os_family.x'), false)) ?? '',
    /^ansible_facts\.os_family is a fact: gather_facts is false/,
  );
});

test('a gathered fact in a play that gathers is left alone (the host supplies it)', () => {
  const err = undef('ansible_os_family');
  assert.equal(withFactHint(err, true), err);
  assert.equal(gatheredLater(err), true);
  assert.equal(gatheredLater(undef('ansible_eth0.ipv4.address')), true);
  assert.equal(gatheredLater(undef('facts.cpu')), true);
});

test('a misspelt fact names the close facts chom-play gathers, in the spelling used', () => {
  const e = withFactHint(undef('ansible_distro'), true);
  assert.match(hintOf(e) ?? '', /^ansible_distro is not gathered by chom-play: close names: ansible_distribution\b/);
  assert.match(hintOf(withFactHint(undef('ansible_facts.archtecture'), true)) ?? '', /close names: ansible_facts\.architecture/);
  assert.equal(gatheredLater(undef('ansible_distro')), false);
  assert.deepEqual(closeFacts('os_famly'), ['os_family']);
});

test('an Ansible fact chom-play does not gather, and a magic variable, say which they are', () => {
  assert.match(hintOf(withFactHint(undef('ansible_python_version'), true)) ?? '', /Ansible fact that chom-play does not gather/);
  assert.match(hintOf(withFactHint(undef('ansible_play_hosts_all'), true)) ?? '', /magic variable that chom-play does not set/);
  assert.equal(gatheredLater(undef('ansible_play_hosts_all')), false);
});

test('the engine hint is kept after the fact hint; other errors pass through unchanged', () => {
  assert.match(hintOf(withFactHint(undef('ansible_os_family', 'use | default(...)'), false)) ?? '', /add a setup task\); use \| default/);
  const other = undef('my_var');
  assert.equal(withFactHint(other, false), other);
  const plain = new Error('x');
  assert.equal(withFactHint(plain, false), plain);
});

test('a module Ansible has and chom-play lacks is named with its collection', () => {
  assert.equal(
    notImplementedMessage('ansible.builtin.unarchive'),
    'ansible.builtin.unarchive exists in Ansible but is not implemented in chom-play yet',
  );
  assert.equal(ansibleModule('unarchive'), 'ansible.builtin.unarchive');
  assert.equal(ansibleModule('ansible.legacy.set_fact'), 'ansible.builtin.set_fact');
  assert.equal(ansibleModule('authorized_key'), 'ansible.posix.authorized_key');
  assert.equal(ansibleModule('community.general.ini_file'), 'community.general.ini_file');
  assert.equal(ansibleModule('pacman'), 'community.general.pacman');
  assert.equal(ansibleModule('unarchve'), undefined);
  assert.equal(ansibleModule('community.general.nonesuch'), undefined);
});

test('a connection variable missing from the inventory says where it comes from', () => {
  assert.match(
    hintOf(withFactHint(undef('ansible_port'), true)) ?? '',
    /^ansible_port is a connection variable: it comes from the inventory/,
  );
  assert.equal(gatheredLater(undef('ansible_port')), false);
});

test('the Jinja2 wordings (a called fact, an absent ansible_facts key) get the same hints', () => {
  const called = new InputError('in {{ x }}: "ansible_hostname.upper" is not defined: cannot call it in "{{ x }}"');
  assert.match(hintOf(withFactHint(called, false)) ?? '', /^ansible_hostname is a fact: gather_facts is false/);
  const absent = new InputError('in {{ x }}: "ansible_facts" (dict) has no attribute "hostnme": cannot call it in "{{ x }}"');
  assert.match(
    hintOf(withFactHint(absent, true)) ?? '',
    /^ansible_facts\.hostnme is not gathered by chom-play: close names: ansible_facts\.hostname/,
  );
  assert.equal(gatheredLater(absent), false);
});
