import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compileCondition } from '../condition.js';
import { InputError } from '../../errors.js';

const loc = { file: 'play.yml', line: 3, col: 7 };
const reg = new Set(['st']);

/** Runs a compiled condition in bash with the given chom_r_* variables set; true when it holds. */
function holds(expr: string, vars: Record<string, string>): boolean {
  const c = compileCondition(expr, {}, reg, loc);
  assert.equal(c.kind, 'bash', `${expr} should compile to bash`);
  const code = c.kind === 'bash' ? c.code : '';
  const sets = Object.entries(vars)
    .map(([k, v]) => `${k}='${v}'`)
    .join('; ');
  const r = spawnSync('bash', ['-uc', `${sets}${sets ? '; ' : ''}if ${code}; then echo yes; else echo no; fi`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim() === 'yes';
}

test('when: st.stat.exists reads the value stat registered on the host', () => {
  assert.equal(holds('st.stat.exists', { chom_r_st__stat__exists: 'true' }), true);
  assert.equal(holds('st.stat.exists', { chom_r_st__stat__exists: 'false' }), false);
  assert.equal(holds('not st.stat.exists', {}), true, 'a stat that never ran reads as not existing');
});

test('not st.stat.exists or st.stat.size == 0: numbers compare as numbers, strings as strings', () => {
  const e = 'not st.stat.exists or st.stat.size == 0';
  assert.equal(holds(e, { chom_r_st__stat__exists: 'true', chom_r_st__stat__size: '0' }), true);
  assert.equal(holds(e, { chom_r_st__stat__exists: 'true', chom_r_st__stat__size: '12' }), false);
  assert.equal(
    holds("st.stat.mode == '0644' and st.stat.pw_name == 'root'", { chom_r_st__stat__mode: '0644', chom_r_st__stat__pw_name: 'root' }),
    true,
  );
  assert.equal(holds('st.stat.size > 10', { chom_r_st__stat__size: '11' }), true);
});

test('st.stat.isdir is defined only when the host returned isdir (a missing path returns exists alone)', () => {
  assert.equal(holds('st.stat.isdir is defined', { chom_r_st__stat__exists: 'false' }), false);
  assert.equal(holds('st.stat.isdir is defined and st.stat.isdir', { chom_r_st__stat__isdir: 'true' }), true);
  assert.equal(holds('st.stat.isdir is undefined', {}), true);
});

test('an unknown stat field or comparing a number with a string is an error at file:line:col', () => {
  assert.throws(
    () => compileCondition('st.stat.is_dir', {}, reg, loc),
    (e: unknown) => e instanceof InputError && e.loc?.line === 3 && /no "is_dir"/.test(e.message) && /isdir/.test(e.hint ?? ''),
  );
  assert.throws(
    () => compileCondition("st.stat.size == '10'", {}, reg, loc),
    (e: unknown) => e instanceof InputError && /whole number/.test(e.message),
  );
  assert.throws(
    () => compileCondition('st.stat.mtime > 5', {}, reg, loc),
    (e: unknown) => e instanceof InputError && /fraction/.test(e.message),
  );
});

test('find results in conditions: files | length, files as a truth value, matched', () => {
  const f = new Set(['found']);
  const run = (expr: string, vars: Record<string, string>): boolean => {
    const c = compileCondition(expr, {}, f, loc);
    const sets = Object.entries(vars)
      .map(([k, v]) => `${k}=$'${v}'`)
      .join('; ');
    const r = spawnSync(
      'bash',
      ['-uc', `${sets}${sets ? '; ' : ''}if ${c.kind === 'bash' ? c.code : 'false'}; then echo yes; else echo no; fi`],
      { encoding: 'utf8' },
    );
    return r.stdout.trim() === 'yes';
  };
  assert.equal(run('found.files | length == 2', { chom_r_found___files: '/a\\n/b' }), true);
  assert.equal(run('found.files | length > 0', {}), false);
  assert.equal(run('found.files', { chom_r_found___files: '/a' }), true);
  assert.equal(run('found.matched > 1', { chom_r_found__matched: '2' }), true);
});
