import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../errors.js';
import { renderTemplateFile, renderValue } from '../index.js';

const dir = mkdtempSync(join(tmpdir(), 'chom-j2-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const loc = { file: 'play.yml', line: 4, col: 7 };

function file(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function render(text: string, vars: Record<string, unknown> = {}, name = 't.j2'): string {
  return renderTemplateFile(file(name, text), vars, `templates/${name}`);
}

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e;
  }
  assert.fail('expected an error');
}

test('a .j2 for loop binds its variable instead of reporting it undefined', () => {
  assert.equal(render('{% for item in xs %}{{ item }};{% endfor %}\n', { xs: ['a', 'b'] }), 'a;b;\n');
});

test('.j2 follows Ansible: trim_blocks, one trailing newline kept, None prints empty, Python reprs', () => {
  assert.equal(render('{% if x %}\nyes\n{% endif %}\n', { x: true }), 'yes\n');
  assert.equal(render('{{ n }}|{{ [n, True, "a"] }}|{{ 7 / 2 }}\n', { n: null }), "|[None, True, 'a']|3.5\n");
  assert.equal(render('{{ ansible_managed | comment }}'), '#\n# Ansible managed\n#');
});

test('an undefined variable in a .j2 names file:line:col and how to guard it', () => {
  const e = errorOf(() => render('a\nb {{ missing.x }}\n'));
  assert.deepEqual(e.loc, { file: 'templates/t.j2', line: 2, col: 6 });
  assert.match(e.message, /"missing(\.x)?" is not defined/);
  assert.match(e.hint ?? '', /default/);
});

test('an unsupported construct is reported as unsupported at its tag, not as an undefined variable', () => {
  const e = errorOf(() => render('ok\n{% trans %}hello{% endtrans %}\n'));
  assert.match(e.message, /unsupported/);
  assert.deepEqual(e.loc, { file: 'templates/t.j2', line: 2, col: 4 });
  assert.match(errorOf(() => render('{{ x | password_hash("sha512") }}', { x: 'a' })).message, /unsupported filter "password_hash"/);
  assert.match(errorOf(() => render('{% if x %}open')).message, /not closed/);
});

test('an error inside an included template names the included file and line', () => {
  file('inc/part.j2', 'line1\n{{ nope }}\n');
  const e = errorOf(() => render("{% include 'inc/part.j2' %}\n", {}, 'main.j2'));
  assert.deepEqual(e.loc, { file: 'templates/inc/part.j2', line: 2, col: 4 });
});

test('macros, imports and blocks work across files', () => {
  file('lib.j2', '{% macro kv(k, v) %}{{ k }}={{ v }}{% endmacro %}');
  file('base.j2', '[{% block body %}base{% endblock %}]\n');
  assert.equal(render("{% from 'lib.j2' import kv %}{{ kv('a', 1) }}\n", {}, 'm.j2'), 'a=1\n');
  assert.equal(render("{% extends 'base.j2' %}{% block body %}child{% endblock %}\n", {}, 'c.j2'), '[child]\n');
});

test('playbook values use the same filter library as templates', () => {
  const vars = { xs: ['a', 'b'], port: 80, ver: '2.45.1', d: { a: 1 } };
  assert.equal(renderValue("{{ xs | map('upper') | join(',') }}", vars, loc), 'A,B');
  assert.equal(renderValue("{{ 'on' if port == 80 else 'off' }}", vars, loc), 'on');
  assert.equal(renderValue("{{ 'v' ~ ver | regex_replace('\\\\.\\\\d+$', '') }}", vars, loc), 'v2.45');
  assert.deepEqual(renderValue('{{ d | combine({"b": 2}) }}', vars, loc), { a: 1, b: 2 });
  assert.deepEqual(renderValue('{{ d | dict2items }}', vars, loc), [{ key: 'a', value: 1 }]);
  assert.equal(renderValue('{{ xs[0] }}', vars, loc), 'a');
  assert.match(errorOf(() => renderValue('{{ xs | nosuch }}', vars, loc)).message, /unknown filter "nosuch"/);
});

test('urlsplit and lookup(varnames) behave as Ansible', () => {
  const vars = { url: 'https://User:pw@Example.COM:8443/p/a?x=1#top', app_a: 1, app_b: 2, other: 3 };
  assert.equal(
    renderValue("{{ url | urlsplit('hostname') }}:{{ url | urlsplit('port') }}{{ url | urlsplit('path') }}", vars, loc),
    'example.com:8443/p/a',
  );
  assert.equal(renderValue("{{ lookup('varnames', '^app_') }}", vars, loc), 'app_a,app_b');
  assert.deepEqual(renderValue("{{ query('varnames', '^app_') }}", vars, loc), ['app_a', 'app_b']);
});

test('a template that is Jinja2 by content renders as Jinja2 whatever its name; a .hbs stays Handlebars', () => {
  assert.equal(render('{% for p in ps %}{{ p }} {% endfor %}\n', { ps: [1, 2] }, 'ports.conf.tmpl'), '1 2 \n');
  assert.equal(render('{{#each ps}}{{this}};{{/each}}\n', { ps: [1, 2] }, 'ports.hbs'), '1;2;\n');
});

test('an unknown filter is an error at its position even in a branch that never runs, as in Ansible', () => {
  const e = errorOf(() => render("x\n{{ 1 | nosuch if false else 'ok' }}\n"));
  assert.match(e.message, /unknown filter "nosuch"/);
  assert.deepEqual(e.loc, { file: 'templates/t.j2', line: 2, col: 8 });
});
