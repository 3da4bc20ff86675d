import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redactor } from '../secrets/redactor.js';
import { createTemplateContext } from './context.js';
import { randomString, secretsDir } from './password.js';
import { renderString } from './render.js';

const loc = { file: 'roles/alertmanager/tasks/main.yml', line: 2, col: 3 };

function project(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'chom-pw-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('password is generated once, stored 0600 in a 0700 gitignored dir, and reused by later runs', () => {
  project((dir) => {
    const run = () => {
      const redactor = new Redactor();
      const ctx = createTemplateContext(dir, {}, redactor);
      const text = renderString('pw={{password "alertmanager_admin"}}', {}, loc, ctx);
      return { pw: text.slice(3), redactor };
    };
    const first = run();
    assert.match(first.pw, /^[A-Za-z0-9]{32}$/);
    const file = join(secretsDir(dir), 'alertmanager_admin');
    assert.equal(readFileSync(file, 'utf8'), first.pw);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(secretsDir(dir)).mode & 0o777, 0o700);
    assert.equal(readFileSync(join(secretsDir(dir), '.gitignore'), 'utf8'), '*\n');
    assert.equal(run().pw, first.pw);
    const third = run();
    assert.equal(third.pw, first.pw);
    assert.equal(third.redactor.redact(`password is ${first.pw}.`), 'password is ********.');
  });
});

test('a different length does not rotate an existing password; a new name gets its own', () => {
  project((dir) => {
    const ctx = createTemplateContext(dir, {}, new Redactor());
    const a = renderString('{{password "db"}}', {}, loc, ctx);
    const again = renderString('{{password "db" 64}}', {}, loc, createTemplateContext(dir, {}, new Redactor()));
    assert.equal(again, a);
    const b = renderString('{{password "other" 12}}', {}, loc, ctx);
    assert.equal(b.length, 12);
    assert.notEqual(b, a.slice(0, 12));
  });
});

test('a value from .env wins over the stored one (exact name, then upper case)', () => {
  project((dir) => {
    renderString('{{password "grafana"}}', {}, loc, createTemplateContext(dir, {}, new Redactor()));
    const redactor = new Redactor();
    const ctx = createTemplateContext(dir, { GRAFANA: 'from-dotenv-value' }, redactor);
    assert.equal(renderString('{{password "grafana"}}', {}, loc, ctx), 'from-dotenv-value');
    assert.equal(redactor.redact('x from-dotenv-value y'), 'x ******** y');
    const exact = createTemplateContext(dir, { grafana: 'exact', GRAFANA: 'upper' }, new Redactor());
    assert.equal(renderString('{{password "grafana"}}', {}, loc, exact), 'exact');
  });
});

test('password names cannot escape the secrets directory', () => {
  project((dir) => {
    const ctx = createTemplateContext(dir, {}, new Redactor());
    assert.throws(() => renderString('{{password "../../etc/x"}}', {}, loc, ctx), /not allowed/);
    assert.throws(() => renderString('{{password ".hidden"}}', {}, loc, ctx), /not allowed/);
    assert.throws(() => renderString('{{password "x" 4}}', {}, loc, ctx), /length must be/);
    assert.equal(existsSync(join(dir, 'etc')), false);
  });
});

test('a stored file edited with a trailing newline keeps the same secret', () => {
  project((dir) => {
    renderString('{{password "edited"}}', {}, loc, createTemplateContext(dir, {}, new Redactor()));
    const file = join(secretsDir(dir), 'edited');
    const v = readFileSync(file, 'utf8');
    writeFileSync(file, `${v}\n`);
    assert.equal(renderString('{{password "edited"}}', {}, loc, createTemplateContext(dir, {}, new Redactor())), v);
  });
});

test('random strings use the whole alphabet', () => {
  const s = randomString(4000);
  assert.equal(new Set(s).size, 62);
});
