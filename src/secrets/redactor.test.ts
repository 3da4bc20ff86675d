import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redactor } from './redactor.js';

test('every occurrence of every secret is replaced, longest first', () => {
  const r = new Redactor();
  r.add('hunter2');
  r.add('hunter2-extended');
  r.add('');
  assert.equal(r.redact('a hunter2 b hunter2-extended c hunter2'), 'a ******** b ******** c ********');
  assert.equal(r.size, 2);
});

test('regex characters in secrets are matched literally', () => {
  const r = new Redactor();
  r.add('p.a$s(w)*rd[1]');
  assert.equal(r.redact('x p.a$s(w)*rd[1] y pXa$s'), 'x ******** y pXa$s');
});

test('a secret with a trailing newline is also hidden without it', () => {
  const r = new Redactor();
  r.add('token123\n');
  assert.equal(r.redact('got token123 here'), 'got ******** here');
});

test('short secrets are still redacted (and mask unrelated text: documented risk)', () => {
  const r = new Redactor();
  r.add('ab');
  assert.equal(r.redact('cab ab'), 'c******** ********');
});

test('redactDeep redacts strings in nested values, keys included, without mutating the input', () => {
  const r = new Redactor();
  r.add('s3cr3t');
  const input = { msg: 'pw s3cr3t', list: ['s3cr3t', 1, null, true], nested: { s3cr3t: 'k' }, n: 5 };
  const out = r.redactDeep(input);
  assert.deepEqual(out, { msg: 'pw ********', list: ['********', 1, null, true], nested: { '********': 'k' }, n: 5 });
  assert.equal(input.msg, 'pw s3cr3t');
  const e = r.redactDeep(new Error('failed with s3cr3t'));
  assert.equal(e.message, 'failed with ********');
});

test('nothing registered: text is unchanged', () => {
  assert.equal(new Redactor().redact('abc'), 'abc');
});

test('with base64: true, a secret inside a base64 blob is hidden at every alignment', () => {
  const r = new Redactor({ base64: true });
  r.add('correct-horse-battery');
  for (const prefix of ['', 'a', 'ab', 'abc', 'password=']) {
    const blob = Buffer.from(`${prefix}correct-horse-battery\nmore text`).toString('base64');
    const out = r.redact(`chom_put_content /etc/x ${blob} 0600`);
    assert.match(out, /\*{8}/, `prefix "${prefix}"`);
    assert.ok(!out.includes(blob));
  }
  const plain = new Redactor();
  plain.add('correct-horse-battery');
  const blob = Buffer.from('xcorrect-horse-battery').toString('base64');
  assert.equal(plain.redact(blob), blob, 'without the option base64 blobs are left alone');
});

test('values derived from a secret by template helpers and filters are hidden too', () => {
  const r = new Redactor();
  const s = 'Rot8-me please/&x';
  r.add(s);
  const b = Buffer.from(s);
  const forms = [
    s.toUpperCase(),
    s.toLowerCase(),
    b.toString('base64'),
    b.toString('base64url'),
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    JSON.stringify(s),
    encodeURIComponent(s),
    ` ${s} `.trim(),
  ];
  for (const f of forms) assert.ok(!r.redact(`password=${f};`).includes(f), `form ${f} leaked`);
});

test('mentions finds a secret inside a base64 blob at any alignment (a script body writing it)', () => {
  const r = new Redactor();
  r.add('correct-horse-battery');
  for (const prefix of ['', 'a', 'ab', 'password=']) {
    assert.ok(r.mentions(`chom_put ${Buffer.from(`${prefix}correct-horse-battery\n`).toString('base64')}`), prefix);
  }
  assert.equal(r.mentions('chom_put ' + Buffer.from('nothing here').toString('base64')), false);
});
