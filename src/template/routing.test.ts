import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { renderString, renderValue } from './render.js';

// Which engine a `{{ }}` goes to: Jinja-only syntax must reach the Jinja2 engine, and the
// Handlebars mustaches of .hbs templates and roles must not.
const loc = { file: 'site.yml', line: 3, col: 5 };
const vars = {
  ansible_hostname: 'web1',
  ansible_facts: { hostname: 'web1' },
  facts: { cpu: 2 },
  x: 7,
  inventory_hostname: 'web1',
  hostvars: { web1: { ansible_facts: { hostname: 'web1' } } },
  groups: { web: ['web1', 'web2'] },
  'my-name': 'hyphen',
  html: '<b>',
};

function errOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

test('loop: "{{ [ansible_hostname] }}" is a one-item list, not the string', () => {
  assert.deepEqual(renderValue('{{ [ansible_hostname] }}', vars, loc), ['web1']);
  assert.deepEqual(renderValue('{{ [ansible_hostname, x] }}', vars, loc), ['web1', 7]);
});

test('a list literal of a dotted path is Jinja, not a Handlebars [segment]', () => {
  assert.deepEqual(renderValue('{{ [ansible_facts.hostname] }}', vars, loc), ['web1']);
});

test('a whole-value dict literal keeps its type', () => {
  assert.deepEqual(renderValue("{{ {'name': ansible_hostname} }}", vars, loc), { name: 'web1' });
});

test('comparisons and arithmetic in text render with Jinja2', () => {
  assert.equal(renderString('multi={{ facts.cpu > 1 }}', vars, loc), 'multi=true');
  assert.equal(renderString('small={{ facts.cpu < 1 }}', vars, loc), 'small=false');
  assert.equal(renderString('workers={{ x // 2 }}', vars, loc), 'workers=3');
  assert.equal(renderString('rest={{ x % 2 }} less={{ x - 2 }} half={{ x / 2 }}', vars, loc), 'rest=1 less=5 half=3.5');
  assert.equal(renderValue('{{ facts.cpu > 1 }}', vars, loc), true);
  assert.equal(renderValue('{{ x // 2 }}', vars, loc), 3);
});

test('Handlebars mustaches of templates and roles are unaffected', () => {
  assert.equal(renderString('{{groups.web.[0]}}', vars, loc), 'web1');
  assert.equal(renderString('{{ my-name }}', vars, loc), 'hyphen');
  assert.equal(renderString('{{{html}}}', vars, loc), '<b>');
  assert.equal(renderString('{{#if (eq x 7)}}seven{{/if}}', vars, loc), 'seven');
  assert.equal(renderString('{{#each groups.web}}{{this}};{{/each}}', vars, loc), 'web1;web2;');
  assert.equal(renderString('{{default missing "<none>"}}', vars, loc), '<none>');
});

test('a missing fact under hostvars[inventory_hostname] names that path', () => {
  const err = errOf(() => renderValue('{{ hostvars[inventory_hostname].ansible_facts.domain }}', vars, loc));
  assert.match(err.message, /variable "hostvars\[inventory_hostname\]\.ansible_facts\.domain" is not defined/);
  assert.doesNotMatch(err.message, /"value"/);
  assert.equal(renderValue('{{ hostvars[inventory_hostname].ansible_facts.hostname }}', vars, loc), 'web1');
});

test('an error in a value that is one {{ expr }} quotes the expression once', () => {
  const err = errOf(() => renderValue('{{ nope | upper }}', vars, loc));
  assert.equal(err.message.split('{{ nope | upper }}').length - 1, 1, err.message);
});

test('loop: > with the expression on its own line is still a list, as in Ansible', () => {
  assert.deepEqual(renderValue('{{ [ansible_hostname] }}\n', vars, loc), ['web1']);
  assert.deepEqual(renderValue('{{ groups.web | union(["web3"]) }}\n', vars, loc), ['web1', 'web2', 'web3']);
  // Ansible: a bare "{{ var }}\n" holding a number or boolean is the var itself; a string and
  // other text keep the newline (checked with ansible-core 2.14: copy content "{{ note }}\n").
  assert.equal(renderValue('{{ x }}\n', vars, loc), 7);
  assert.equal(renderValue('{{ ansible_hostname }}\n', vars, loc), 'web1\n');
  assert.equal(renderValue('{{ x + 1 }}\n', vars, loc), '8\n');
  assert.equal(renderValue('a {{ x }}\n', vars, loc), 'a 7\n');
  assert.equal(renderValue(' {{ groups.web }}', vars, loc), ' ["web1","web2"]');
});

test('Python-style literals True, False and None are values, not variables', () => {
  assert.equal(renderValue('{{ True }}', vars, loc), true);
  assert.equal(renderValue('{{ False }}', vars, loc), false);
  assert.equal(renderValue('{{ None }}', vars, loc), null);
});
