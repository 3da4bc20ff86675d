import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../errors.js';
import { quote } from '../shell/quote.js';
import { compileCondition } from './condition.js';

const loc = { file: 'playbooks/site.yml', line: 14, col: 7 };
const vars = {
  x: 3,
  s: 'abc',
  list: [1, 2, 'a'],
  d: { k: { z: 1 } },
  flag: true,
  off: false,
  os: 'debian',
  yes_str: 'yes',
  empty: '',
  nothing: null,
  port: '8080',
  hosts: ['web1', 'web2'],
};
const registered = new Set(['out', 'svc']);

function cond(expr: string | boolean) {
  return compileCondition(expr, vars, registered, loc);
}

function constOf(expr: string): boolean {
  const c = cond(expr);
  assert.equal(c.kind, 'const', `${expr} should be decided at compile time, got ${JSON.stringify(c)}`);
  return (c as { value: boolean }).value;
}

/** Runs the compiled condition in real bash (set -euo pipefail, like the script) with chom_r_ vars set. */
function runBash(code: string, env: Record<string, string>, cwd?: string): boolean {
  const assigns = Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join('\n');
  const script = `set -euo pipefail\n${assigns}\nif ${code}; then echo T; else echo F; fi\n`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd });
  assert.equal(r.status, 0, `bash failed: ${r.stderr}\n${script}`);
  return r.stdout.trim() === 'T';
}

function bashOf(expr: string): string {
  const c = cond(expr);
  assert.equal(c.kind, 'bash', `${expr} depends on a registered result, got ${JSON.stringify(c)}`);
  return (c as { code: string }).code;
}

test('conditions on variables are decided at compile time (table)', () => {
  const table: Array<[string, boolean]> = [
    ['x > 2', true],
    ['x >= 4', false],
    ['x == 3 and s == "abc"', true],
    ['x != 3 or s == "abc"', true],
    ['not flag', false],
    ['not (flag and off)', true],
    ['off or flag', true],
    ["'a' in list", true],
    ['4 in list', false],
    ['4 not in list', true],
    ["'bc' in s", true],
    ["'k' in d", true],
    ['d.k.z == 1', true],
    ["d['k']['z'] == 1", true],
    ['list[0] == 1', true],
    ['list[-1] == "a"', true],
    ['y is defined', false],
    ['y is undefined', true],
    ['y is not defined', true],
    ['d.q.r is defined', false],
    ['x is defined', true],
    ['y is defined and y > 1', false],
    ['y is not defined or y > 1', true],
    ['yes_str | bool', true],
    ['"off" | bool', false],
    ['port | int == 8080', true],
    ['port | int > 80', true],
    ['list | length == 3', true],
    ['y | default(5) == 5', true],
    ['x | default(5) == 3', true],
    ['"ABC" | lower == s', true],
    ['nothing is none', true],
    ['nothing == None', true],
    ['empty', false],
    ['s', true],
    ['[]', false],
    ['True', true],
    ['false', false],
    ['os in ["debian", "ubuntu"]', true],
    ['x == -3', false],
    ['{{ x == 3 }}', true],
    ['inventory_hostname is defined', false],
  ];
  for (const [expr, want] of table) assert.equal(constOf(expr), want, expr);
  assert.deepEqual(cond(true), { kind: 'const', value: true });
  assert.deepEqual(cond(false), { kind: 'const', value: false });
});

test('registered results compile to bash that behaves like the expression', () => {
  const failedRun = {
    chom_r_out_rc: '1',
    chom_r_out_stdout: 'warning: x happened\nok',
    chom_r_out_changed: 'true',
    chom_r_out_failed: 'true',
  };
  const cleanRun = { chom_r_out_rc: '0', chom_r_out_stdout: 'all good', chom_r_out_changed: 'false', chom_r_out_failed: 'false' };
  const table: Array<[string, boolean, boolean]> = [
    // expression, result with failedRun, result with cleanRun
    ["out.rc != 0 and 'x' in out.stdout", true, false],
    ['out is changed', true, false],
    ['out is not changed', false, true],
    ['out.changed', true, false],
    ['out.changed == false', false, true],
    ['out is failed', true, false],
    ['out is succeeded', false, true],
    ['not (out is failed or out.rc == 2)', false, true],
    ['out.rc == 0', false, true],
    ['out.rc > 0 and flag', true, false],
    ["'ok' in out.stdout_lines", true, false],
    ["'good' in out.stdout_lines", false, false],
    ["out.stdout in ['all good', 'fine']", false, true],
    ["out.stdout == 'all good'", false, true],
    ["out.stdout | lower == 'all good'", false, true],
    ['out.stdout_lines | length == 2', true, false],
    ['out.stdout | length > 8', true, false],
    ['out.stdout', true, true],
    ['out.rc', true, false],
    ['x > 1 and out.rc == 1', true, false],
  ];
  for (const [expr, a, b] of table) {
    const code = bashOf(expr);
    assert.equal(runBash(code, failedRun), a, `${expr} with failed run: ${code}`);
    assert.equal(runBash(code, cleanRun), b, `${expr} with clean run: ${code}`);
  }
});

test('or/and with parts known at compile time are simplified', () => {
  assert.deepEqual(cond('off and out.changed'), { kind: 'const', value: false });
  assert.deepEqual(cond('flag or out.changed'), { kind: 'const', value: true });
  assert.equal(bashOf('flag and out.changed'), bashOf('out.changed'));
  assert.deepEqual(cond('out.changed and x == 9'), { kind: 'const', value: false });
  assert.deepEqual(cond('out is defined'), { kind: 'const', value: true });
});

test('bash precedence: (a or b) and c keeps its grouping', () => {
  const code = bashOf('(out.rc == 1 or out.rc == 2) and svc.changed');
  assert.equal(runBash(code, { chom_r_out_rc: '1', chom_r_svc_changed: 'false' }), false);
  assert.equal(runBash(code, { chom_r_out_rc: '2', chom_r_svc_changed: 'true' }), true);
  assert.equal(runBash(code, { chom_r_out_rc: '3', chom_r_svc_changed: 'true' }), false);
  const code2 = bashOf('out.rc == 1 or (out.rc == 2 and svc.changed)');
  assert.equal(runBash(code2, { chom_r_out_rc: '1', chom_r_svc_changed: 'false' }), true);
});

test('| int on stdout accepts only digits, so arithmetic never evaluates the output', () => {
  const code = bashOf('out.stdout | int > 5');
  assert.equal(runBash(code, { chom_r_out_stdout: ' 0010 \n' }), true);
  assert.equal(runBash(code, { chom_r_out_stdout: '3' }), false);
  assert.equal(runBash(code, { chom_r_out_stdout: 'a[$(echo 9 >&2)]' }), false);
  assert.equal(runBash(code, { chom_r_out_stdout: 'x[$(touch pwned)]+9' }), false);
});

test('registered variables that were never set do not abort a set -u script', () => {
  assert.equal(runBash(bashOf('out is changed or out.rc != 0'), {}), false);
  assert.equal(runBash(bashOf("'x' in out.stdout"), {}), false);
});

test('hostile text in literals and in command output is never executed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chom-cond-'));
  try {
    const exprs = [
      "'$(touch lit1)' in out.stdout",
      "out.stdout == '`touch lit2`'",
      "out.stdout in ['$(touch lit3)', \"'; touch lit4; '\"]",
      "'*' in out.stdout",
      "out.stdout_lines | length > 0 and '$(touch lit5)' in out.stdout_lines",
    ];
    const outputs = ['$(touch out1)', '`touch out2`', "'; touch out3; echo '", '*', '"; touch out4; "\n$(touch out5)'];
    for (const e of exprs) {
      const code = bashOf(e);
      for (const o of outputs) runBash(code, { chom_r_out_stdout: o }, dir);
    }
    assert.deepEqual(readdirSync(dir), []);
    // A glob in a literal is matched literally: '*' is found only where there is a star.
    assert.equal(runBash(bashOf("'*' in out.stdout"), { chom_r_out_stdout: 'abc' }, dir), false);
    assert.equal(runBash(bashOf("'*' in out.stdout"), { chom_r_out_stdout: 'a*c' }, dir), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prototype names are plain undefined variables, never JavaScript internals', () => {
  assert.equal(constOf('constructor is defined'), false);
  assert.equal(constOf('__proto__ is defined'), false);
  assert.equal(constOf('x.constructor is defined'), false);
  assert.equal(constOf("d['__proto__'] is defined"), false);
  assert.equal(constOf('s.length is defined'), false);
  assert.throws(() => cond('constructor'), /variable "constructor" is not defined/);
  assert.throws(() => cond('x.constructor.constructor("return process")()'), InputError);
});

function errorOf(expr: string): InputError {
  try {
    cond(expr);
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    return err;
  }
  assert.fail(`expected an error for ${expr}`);
}

test('errors name the position with a caret and say what to write', () => {
  const undef = errorOf('flag and servr_name == "x"');
  assert.equal(undef.loc, loc);
  assert.match(undef.message, /variable "servr_name" is not defined \(column 10\)/);
  assert.match(undef.message, /\n {4}flag and servr_name == "x"\n {13}\^{10}/);
  assert.match(errorOf('x && flag').hint ?? '', /write and/);
  assert.match(errorOf('x === 3').message, /unknown operator "==="/);
  assert.match(errorOf('x ==').message, /unexpected end of expression/);
  assert.match(errorOf('(x == 3').message, /expected "\)"/);
  assert.match(errorOf("'abc").message, /unterminated string/);
  assert.match(errorOf('x | lenght').hint ?? '', /did you mean "length"/);
  assert.match(errorOf('out is chnged').hint ?? '', /did you mean "changed"/);
  assert.match(errorOf('out.stdot').hint ?? '', /stdout/);
  assert.match(errorOf("out.rc == '0'").hint ?? '', /without quotes/);
  assert.match(errorOf('out.stdout > 3').hint ?? '', /\| int/);
  assert.match(errorOf('$(touch x)').message, /unknown operator "\$"/);
  assert.match(errorOf('').message, /empty condition/);
  assert.match(errorOf('x is changed').message, /needs a registered result/);
});

test('beyond the when: language, conditions use the Jinja2 engine: chained comparisons, tests and filters as Ansible', () => {
  assert.equal(constOf('1 < x < 5'), true);
  assert.equal(constOf('1 < x < 2'), false);
  assert.equal(constOf("'2.45.1' is version('2.50', '<')"), true);
  assert.equal(constOf("s | regex_search('b') == 'b'"), true);
  assert.equal(constOf("(list | select('number') | list | length) == 2"), true);
  assert.equal(constOf("'web' ~ x == 'web3'"), true);
  assert.equal(constOf("os in ['debian', 'ubuntu'] and d.k.z is divisibleby 1"), true);
  assert.throws(() => cond('x | no_such_filter'), /unknown filter "no_such_filter"/);
});
