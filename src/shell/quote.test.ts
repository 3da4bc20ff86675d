import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, runTasks, sandbox, task } from '../../test/modules/harness.js';
import copy from '../modules/copy.js';
import lineinfile from '../modules/lineinfile.js';
import blockinfile from '../modules/blockinfile.js';
import { quote } from './quote.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "'",
  '"',
  '$(',
  ')',
  '`',
  '\n',
  '\\',
  '$HOME',
  '${x}',
  '$',
  '*',
  '?',
  '[a]',
  '-',
  '--',
  '-e ',
  '-n',
  'ü',
  '✓',
  '😀',
  '\t',
  ' ',
  ';',
  '&',
  '|',
  '>',
  '<',
  '!',
  '#',
  '%s',
  '~',
  '{a,b}',
  "'\\''",
  '\r',
  '\x01',
  '\x7f',
  'é',
];

function randomString(r: () => number, canary: string): string {
  const n = Math.floor(r() * 12);
  let s = r() < 0.5 ? '-' : '';
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.55) s += PIECES[Math.floor(r() * PIECES.length)];
    else if (x < 0.8) s += String.fromCharCode(32 + Math.floor(r() * 95));
    else if (x < 0.9) s += String.fromCodePoint(0xa0 + Math.floor(r() * 0x2000));
    else s += r() < 0.5 ? `$(touch ${canary})` : `\`touch ${canary}\``;
  }
  return s;
}

describe('quote()', () => {
  it('3000 hostile strings arrive in bash byte-exact and never execute', () => {
    const r = rng(42);
    const dir = sandbox();
    try {
      const canary = join(dir.root, 'canary');
      const values = Array.from({ length: 3000 }, () => randomString(r, canary));
      values.push('', '-', '--', "'", '\n', '$(touch ' + canary + ')');
      const script = values.map((v) => `printf '%s\\0' ${quote(v)}`).join('\n');
      const res = spawnSync('bash', ['-s'], { input: script, cwd: dir.root });
      assert.equal(res.status, 0, res.stderr.toString());
      const got = res.stdout.toString('utf8').split('\0').slice(0, -1);
      assert.equal(got.length, values.length);
      for (let i = 0; i < values.length; i++) assert.equal(got[i], values[i], `value #${i} ${JSON.stringify(values[i])}`);
      assert.equal(existsSync(canary), false, 'something executed');
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a NUL byte instead of silently dropping it', () => {
    assert.throws(() => quote('a\0b'), /NUL/);
  });
});

describe('module string arguments carry hostile strings byte-exact', { skip: isRoot ? false : 'needs root' }, () => {
  it('copy content and dest name, lineinfile line, blockinfile block and marker land in files as given', () => {
    const r = rng(7);
    const sb = sandbox();
    try {
      const canary = join(sb.root, 'canary');
      const ctx = { taskId: 1, taskName: 't', loc: { file: 't.yml', line: 1, col: 1 } };
      const cases: Array<{ path: string; want: string }> = [];
      const tasks = [];
      for (let i = 0; i < 60; i++) {
        const d = join(sb.root, `d${i}`);
        mkdirSync(d);
        // File names: anything but '/', NUL and newline (paths with newlines are refused by the modules).
        const name = (randomString(r, canary).replace(/[/\n]/g, '_') || 'x').slice(0, 100).replace(/^\.\.?$/, 'dot');
        const content = randomString(r, canary);
        const line = randomString(r, canary).replace(/[\r\n]/g, ' ');
        const block = randomString(r, canary).replace(/\r/g, ' ') || 'b';
        const marker = `#{mark} ${randomString(r, canary).replace(/[\r\n]/g, ' ')}`;
        tasks.push(task(tasks.length + 1, copy.compile({ dest: join(d, name), content }, ctx)));
        cases.push({ path: join(d, name), want: content });
        tasks.push(task(tasks.length + 1, lineinfile.compile({ path: join(d, 'lines'), line, create: true }, ctx)));
        cases.push({ path: join(d, 'lines'), want: `${line}\n` });
        tasks.push(task(tasks.length + 1, blockinfile.compile({ path: join(d, 'block'), block, marker, create: true }, ctx)));
        const body = block.split('\n');
        if (body.at(-1) === '') body.pop();
        cases.push({
          path: join(d, 'block'),
          want: [marker.replace('{mark}', 'BEGIN'), ...body, marker.replace('{mark}', 'END')].join('\n') + '\n',
        });
      }
      const res = runTasks(sb, tasks);
      const bad = res.tasks.filter((t) => t.status !== 'changed');
      assert.deepEqual(bad, [], res.stderr);
      for (const c of cases) assert.equal(readFileSync(c.path, 'utf8'), c.want, c.path);
      assert.equal(existsSync(canary), false, 'something executed');
      const again = runTasks(sb, tasks);
      assert.deepEqual(
        again.tasks.filter((t) => t.status !== 'ok').map((t) => [t.id, t.msg]),
        [],
      );
    } finally {
      sb.cleanup();
    }
  });
});
