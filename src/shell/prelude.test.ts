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
});
