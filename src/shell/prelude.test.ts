import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PRELUDE } from './prelude.js';

function bash(code: string, ...args: string[]): string {
  const r = spawnSync('bash', ['-c', `set -euo pipefail\n${PRELUDE}\n${code}`, 'bash', ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('prelude', () => {
  it('chom_mode_apply computes modes like chmod does', () => {
    const cases: Array<[string, string, number, string]> = [
      ['0644', '0600', 0, '0600'],
      ['0600', 'g+r,o+r', 0, '0644'],
      ['0777', 'u=rw,g=r,o=', 0, '0640'],
      ['0700', 'u=rwX,g=rX,o=', 1, '0750'],
      ['0600', 'a+X', 0, '0600'],
      ['0744', 'go=u', 0, '0777'],
      ['0755', 'u+s,o-rx', 0, '4750'],
      ['0644', '755', 0, '0755'],
    ];
    for (const [cur, mode, isdir, want] of cases) {
      assert.equal(bash(`chom_mode_apply ${cur} '${mode}' ${isdir}`).trim(), want, `${cur} ${mode}`);
    }
  });

  it('chom_json_str makes valid JSON of quotes, backslashes and control characters', () => {
    const s = 'a"b\\c\nd\te\x01f ✓';
    const out = bash('chom_json_str "$1"', s);
    assert.equal(JSON.parse(out), s);
  });

  it("the subshell-free helpers set the caller's variable whatever its name", () => {
    const code = [
      'f() { local p=/a//b/ dest="" parent="" cur=""; chom__normv p "$p"; chom__parentv parent "$p"; chom_pathv cur "$p"; printf "%s %s %s\\n" "$p" "$parent" "$cur"; }',
      'f',
    ].join('\n');
    assert.equal(bash(code), '/a/b /a /a/b\n');
  });

  it('chom_getentv gives the line getent gives, by name and by id, and nothing for an unknown name', () => {
    const real = (...a: string[]) => spawnSync('getent', a, { encoding: 'utf8' });
    const code = [
      'chom__nss_init',
      'chom_getentv l passwd root; printf "%s\\n" "$l"',
      'chom_getentv l group 0; printf "%s\\n" "$l"',
      'rc=0; chom_getentv l passwd no-such-user-chom || rc=$?; printf "[%s] %s\\n" "$l" "$rc"',
      'getent passwd root',
    ].join('\n');
    const want =
      real('passwd', 'root').stdout +
      real('group', '0').stdout +
      `[] ${real('passwd', 'no-such-user-chom').status}\n` +
      real('passwd', 'root').stdout;
    assert.equal(bash(code), want);
  });

  it('chom_lineinfile_ok says "no edit" from the start-of-run stat, and leaves NUL bytes and CR to perl', () => {
    const code = [
      'CHOM_TMP=$(mktemp -d); trap \'rm -rf "$CHOM_TMP"\' EXIT; f=$CHOM_TMP/app.conf',
      'st() { printf "$1" >"$f"; CHOM_STC=(); chom__prefetch "$f"; }',
      'v() { if chom_lineinfile_ok "$f" "$@"; then printf "ok "; else printf "perl "; fi; }',
      'st "host=a\\nport=80\\n"; v present prefix port= port=80; v present substr ort port=80; v present line "" port=80; v absent prefix nope ""; v present prefix port= port=81',
      'st "port=80"; v present line "" port=80',
      'st "a\\0b\\nport=80\\n"; v present line "" port=80',
      'st "port=80\\r\\n"; v present line "" port=80',
      'CHOM_STC=(); printf "port=80\\n" >"$f"; v present line "" port=80',
    ].join('\n');
    assert.equal(bash(code), 'ok ok ok ok perl ok perl perl perl ');
  });
});
