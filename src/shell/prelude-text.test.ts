import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as text from './prelude/text.js';
import { PRELUDE } from './prelude.js';

// Tests run from dist/src/shell: the bash sources are in the checkout's src/shell/prelude.
const SRC = fileURLToPath(new URL('../../../src/shell/prelude/', import.meta.url));
const files = readdirSync(SRC)
  .filter((f) => f.endsWith('.sh'))
  .sort();
const exportName = (f: string): string =>
  `PRELUDE_${f
    .slice(0, -3)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '_')}`;

describe('host runtime bash files', () => {
  it('pass shellcheck with no finding (src/shell/prelude/*.sh)', () => {
    const r = spawnSync('shellcheck', ['-f', 'gcc', ...files], { cwd: SRC, encoding: 'utf8' });
    assert.equal(r.error, undefined, 'shellcheck is not installed (Debian package shellcheck)');
    assert.equal(r.stdout + r.stderr, '', 'shellcheck findings, as file:line:col');
    assert.equal(r.status, 0);
  });

  it('each ships in the prelude, declared in text.d.ts, without its comment header or directives', () => {
    const declared = readFileSync(`${SRC}text.d.ts`, 'utf8');
    const values: Record<string, unknown> = { ...text };
    assert.ok(files.length >= 7);
    for (const f of files) {
      const name = exportName(f);
      assert.match(declared, new RegExp(`export const ${name}: string;`), `${f}: add ${name} to text.d.ts`);
      const body = values[name];
      assert.equal(typeof body, 'string', name);
      assert.ok(PRELUDE.includes(String(body)), `${f} is not part of PRELUDE (prelude.ts)`);
      assert.match(String(body), /^# ---- chom-play runtime/);
      assert.doesNotMatch(String(body), /# shellcheck /);
    }
    assert.equal(Object.keys(values).length, files.length, 'text.d.ts and the .sh files list the same parts');
  });

  it('parses as bash as a whole', () => {
    const r = spawnSync('bash', ['-n'], { input: PRELUDE, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
