import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { overlay, renderString, renderTemplateFile, renderValue, resolveVars } from './render.js';

const loc = { file: 'roles/web/tasks/main.yml', line: 4, col: 3 };
const vars = {
  server_name: 'example.org',
  port: 8080,
  tls: false,
  users: [{ name: 'ann', shell: '/bin/bash' }, { name: 'bob' }],
  app: { dir: '/srv/app', opts: { debug: true } },
  list: ['a', 'b'],
  amp: 'a&b<c>"d\'',
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

function withTemplate(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'chom-tpl-'));
  try {
    const p = join(dir, 'nginx.conf.hbs');
    writeFileSync(p, text);
    fn(p);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a string that is exactly one {{ expr }} keeps the type of the value', () => {
  assert.equal(renderValue('{{ port }}', vars, loc), 8080);
  assert.equal(renderValue('{{tls}}', vars, loc), false);
  assert.deepEqual(renderValue('{{ users }}', vars, loc), vars.users);
  assert.equal(renderValue(' {{ port }} ', vars, loc), ' 8080 ', 'text around the braces makes it a string');
  assert.deepEqual(renderValue('{{ default missing list }}', vars, loc), ['a', 'b']);
  assert.equal(renderValue('{{ eq port 8080 }}', vars, loc), true);
  assert.equal(renderValue('port {{ port }}', vars, loc), 'port 8080');
  assert.deepEqual(renderValue({ a: ['{{ port }}', 'x{{ port }}'], b: 1, c: null }, vars, loc), { a: [8080, 'x8080'], b: 1, c: null });
});

test('no HTML escaping: & < > quotes stay as they are', () => {
  assert.equal(renderString('v={{amp}}', vars, loc), 'v=a&b<c>"d\'');
  withTemplate('x {{ amp }}\n', (p) => assert.equal(renderTemplateFile(p, vars), 'x a&b<c>"d\'\n'));
});

test('a missing variable in a template file names the file, line, column and a suggestion', () => {
  withTemplate('server {\n  listen {{ port }};\n\n  server_name {{ server_nme }};\n}\n', (p) => {
    const e = errOf(() => renderTemplateFile(p, vars, 'templates/nginx.conf.hbs'));
    assert.deepEqual(e.loc, { file: 'templates/nginx.conf.hbs', line: 4, col: 15 });
    assert.equal(e.message, 'variable "server_nme" is not defined');
    assert.equal(e.hint, 'did you mean "server_name"?');
    assert.match(e.toString(), /^templates\/nginx.conf.hbs:4:15: variable "server_nme" is not defined/);
  });
});

test('a missing nested key names the full path and suggests from the keys at that level', () => {
  const e = errOf(() => renderString('{{ app.dirr }}', vars, loc));
  assert.match(e.message, /variable "app.dirr" is not defined/);
  assert.equal(e.hint, 'did you mean "app.dir"?');
  assert.equal(e.loc, loc);
  assert.match(errOf(() => renderString('{{ port.x }}', vars, loc)).message, /"port" is a number, not a dictionary/);
  assert.match(errOf(() => renderString('{{ nope.a.b }}', vars, loc)).message, /variable "nope" is not defined/);
});

test('missing variables inside blocks are errors too', () => {
  assert.match(errOf(() => renderString('{{#each users}}{{nme}}{{/each}}', vars, loc)).hint ?? '', /did you mean "name"/);
  assert.match(errOf(() => renderString('{{#each users}}{{shell}}{{/each}}', vars, loc)).message, /"shell" is not defined/);
});

test('if, default and comparisons accept variables that may be missing', () => {
  assert.equal(renderString('{{#if maybe}}y{{else}}n{{/if}}', vars, loc), 'n');
  assert.equal(renderString('{{#if app.missing.deep}}y{{else}}n{{/if}}', vars, loc), 'n');
  assert.equal(renderString('{{default missing "x"}}', vars, loc), 'x');
  assert.equal(renderString('{{default app.nope.deep "x"}}', vars, loc), 'x');
  assert.equal(renderString('{{#each users}}{{name}}:{{default shell "/bin/sh"}} {{/each}}', vars, loc), 'ann:/bin/bash bob:/bin/sh ');
  assert.equal(renderString('{{#if (eq maybe "x")}}y{{else}}n{{/if}}', vars, loc), 'n');
  assert.equal(renderString('{{#unless tls}}plain{{/unless}}', vars, loc), 'plain');
});

test('helpers', () => {
  const r = (t: string, v: Record<string, unknown> = vars) => renderString(t, v, loc);
  assert.equal(r('{{join list ", "}}'), 'a, b');
  assert.equal(r('{{to_json app}}'), '{"dir":"/srv/app","opts":{"debug":true}}');
  assert.equal(r('{{to_nice_json app.opts}}'), '{\n    "debug": true\n}');
  assert.equal(r('{{to_yaml app}}'), 'dir: /srv/app\nopts:\n  debug: true');
  assert.equal(r('opts:\n  {{indent (to_yaml app) 2}}'), 'opts:\n  dir: /srv/app\n  opts:\n    debug: true');
  assert.equal(r('{{indent "a\n\nb" 2 true}}'), '  a\n\n  b');
  assert.equal(r('{{#if (and tls port)}}1{{else}}0{{/if}}{{#if (or tls port)}}1{{/if}}{{#if (not tls)}}1{{/if}}'), '011');
  assert.equal(r('{{#if (ne port 80)}}1{{/if}}{{#if (lt port 9000)}}1{{/if}}{{#if (gt port 9000)}}1{{else}}0{{/if}}'), '110');
  assert.equal(r('{{upper server_name}} {{lower "AbC"}} {{replace server_name "." "_"}}'), 'EXAMPLE.ORG abc example_org');
  assert.equal(r('{{basename app.dir}} {{dirname app.dir}}'), 'app /srv');
  assert.equal(r('{{b64encode "user:pa&ss"}}'), Buffer.from('user:pa&ss').toString('base64'));
  assert.equal(r('{{length users}}'), '2');
  assert.match(errOf(() => r('{{join missing ","}}')).message, /helper "join": its first argument is not defined/);
  assert.match(errOf(() => r('{{jon list ","}}')).hint ?? '', /did you mean "join"/);
});

test('lists and dicts printed inside text come out as JSON, not [object Object]', () => {
  assert.equal(renderString('x={{ app.opts }} l={{ list }}', vars, loc), 'x={"debug":true} l=["a","b"]');
});

test('a template syntax error points at the line', () => {
  withTemplate('a\n{{#if port}}\nb\n', (p) => {
    const e = errOf(() => renderTemplateFile(p, vars, 'templates/x.hbs'));
    assert.equal(e.loc?.file, 'templates/x.hbs');
    assert.match(e.message, /template syntax error/);
  });
});

test('template files are re-read when they change', () => {
  withTemplate('one {{port}}', (p) => {
    assert.equal(renderTemplateFile(p, vars), 'one 8080');
    writeFileSync(p, 'two {{port}} and more');
    utimesSync(p, new Date(), new Date(Date.now() + 5000));
    assert.equal(renderTemplateFile(p, vars), 'two 8080 and more');
  });
});

test('no code execution or prototype access through templates', () => {
  assert.match(errOf(() => renderString('{{constructor}}', vars, loc)).message, /"constructor" is not defined/);
  assert.match(errOf(() => renderString('{{app.constructor}}', vars, loc)).message, /"app.constructor" is not defined/);
  assert.match(errOf(() => renderString('{{app.__proto__}}', vars, loc)).message, /"app.__proto__" is not defined/);
  assert.equal(renderString('{{#with "x"}}{{#with split}}{{/with}}{{/with}}ok', vars, loc), 'ok');
  assert.equal(renderString('{{default app.constructor.name "safe"}}', vars, loc), 'safe');
  assert.equal(renderString('$(touch x) `id` {{amp}}', { amp: '$(id)' }, loc), '$(touch x) `id` $(id)');
});

test('vars that use other vars are resolved in any order', () => {
  const out = resolveVars({
    url: 'http://{{ host }}:{{ port }}/',
    host: '{{ name }}.lan',
    name: 'web1',
    port: 80,
    ports: ['{{ port }}'],
    hostvars: { a: { x: '{{ nope }}' } },
  });
  assert.equal(out.url, 'http://web1.lan:80/');
  assert.equal(out.host, 'web1.lan');
  assert.deepEqual(out.ports, [80]);
  assert.deepEqual(out.hostvars, { a: { x: '{{ nope }}' } }, 'hostvars are not rendered');
});

test('a cycle between vars names the chain', () => {
  assert.match(
    errOf(() => resolveVars({ a: '{{ b }}', b: 'x{{ a }}' }, loc).a).message,
    /variable "a" refers to itself through "b" \(a -> b -> a\)/,
  );
  assert.match(errOf(() => resolveVars({ a: '{{ a }}' }, loc).a).message, /variable "a" refers to itself$/);
  assert.match(errOf(() => resolveVars({ a: '{{ b }}', b: '{{ c }}', c: '{{ a }}' }, loc).a).message, /a -> b -> c -> a/);
  const e = errOf(() => resolveVars({ a: 'x {{ nope }}' }, loc).a);
  assert.match(e.message, /in variable "a": variable "nope" is not defined/);
  assert.equal(e.loc, loc);
});

test('an unused var that cannot be rendered never fails; used, it fails naming the var', () => {
  const out = resolveVars({ broken: '{{ nope | bogus_filter }}', used: '{{ name }}!', name: 'web1' }, loc);
  assert.equal(renderValue('{{ used }}', out, loc), 'web1!');
  const merged = overlay(out, { extra: 1 });
  assert.equal(renderValue('{{ used }}-{{ extra }}', merged, loc), 'web1!-1', 'overlay keeps vars lazy');
  assert.match(errOf(() => renderValue('{{ broken }}', merged, loc)).message, /in variable "broken": .*bogus_filter/);
});

test('Ansible-style {{ x | filter }} expressions work in values and templates', () => {
  assert.equal(renderValue("{{ missing | default('fallback') }}", vars, loc), 'fallback');
  assert.equal(renderValue('{{ port | int }}', vars, loc), 8080);
  assert.deepEqual(renderValue('{{ missing | default(list) }}', vars, loc), ['a', 'b']);
  assert.equal(
    renderValue("http://{{ server_name | upper }}:{{ port }}/{{ app['dir'] | lower }}", vars, loc),
    'http://EXAMPLE.ORG:8080//srv/app',
  );
  assert.equal(renderString('{{#each users}}{{name}}={{ tls | default(true) }};{{/each}}', vars, loc), 'ann=false;bob=false;');
  assert.equal(renderString("{{ users | length }} {{ 'a|b' | upper }}", vars, loc), '2 A|B');
  const e = errOf(() => renderValue('{{ nope | int }}', vars, loc));
  assert.match(e.message, /variable "nope" is not defined/);
  assert.match(errOf(() => renderValue('{{ port | bogus }}', vars, loc)).message, /unknown filter "bogus"/);
});

test('Jinja statements in playbook values are rendered by the Jinja2 engine, not sent as text', () => {
  assert.equal(renderValue('{% if tls %}443{% else %}80{% endif %}', { ...vars, tls: true }, loc), '443');
  const e = errOf(() => renderValue('{% for x in %}{% endfor %}', vars, loc));
  assert.equal(e.loc, loc);
  assert.match(e.message, /unexpected end of expression/);
});
