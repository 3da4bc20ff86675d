import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lineinfile from './lineinfile.js';
import { compileWith } from '../../test/system-modules/harness.js';
import { runTasks, sandbox, task } from '../../test/modules/harness.js';

// The no-change pass decides common lineinfile shapes in bash (chom_lineinfile_ok) when the
// start-of-run stat knows the file; perl decides everything else. Both must agree everywhere.
const FILES = [
  'host = a\nport = 80\n',
  'host = a\nport = 80',
  'port = 81\nport = 80\n',
  'port = 80\nport = 81\n',
  'port = 80\r\nhost = a\r\n',
  'a\u0000b\nport = 80\n',
  'café = 1\nport = 80\n',
  '',
  'x port = 80\n',
];
const ARGS: Array<Record<string, unknown>> = [
  { regexp: '^port', line: 'port = 80' },
  { regexp: 'port', line: 'port = 80' },
  { search_string: 'port', line: 'port = 80' },
  { line: 'port = 80' },
  { regexp: '^nomatch', line: 'port = 80' },
  { regexp: '^port', state: 'absent' },
  { line: 'port = 80', state: 'absent' },
  { regexp: '^port', line: 'port = 80', mode: '0600' },
];

const norm = (s: string, root: string) => s.replaceAll(root, 'ROOT');

test('lineinfile decides the same with and without the builtin no-change check', () => {
  const cases = FILES.flatMap((content) => ARGS.map((a) => ({ content, a })));
  // Reference: perl decides every case (no start-of-run stat), all cases in one script.
  const ref = sandbox();
  const want: string[] = [];
  try {
    const tasks = cases.map(({ content, a }, i) => {
      const path = join(ref.root, `f${i}.conf`);
      writeFileSync(path, content, { mode: 0o644 });
      return task(i + 1, compileWith(lineinfile, { path, ...a }), { ignoreErrors: true });
    });
    const r = runTasks(ref, tasks);
    cases.forEach((_, i) => {
      const t = r.tasks.find((e) => e.id === i + 1);
      assert.ok(t, r.stderr);
      want.push(norm(`${t.status} | ${t.msg} | ${JSON.stringify(readFileSync(join(ref.root, `f${i}.conf`), 'utf8'))}`, ref.root));
    });
  } finally {
    ref.cleanup();
  }
  // Each case alone with the stat hint, so the builtin check gets its chance.
  cases.forEach(({ content, a }, i) => {
    const sb = sandbox();
    try {
      const path = join(sb.root, `f${i}.conf`);
      writeFileSync(path, content, { mode: 0o644 });
      const r = runTasks(sb, [task(i + 1, compileWith(lineinfile, { path, ...a }), { paths: [path], ignoreErrors: true })]);
      const t = r.tasks[0];
      assert.ok(t, r.stderr);
      const got = norm(`${t.status} | ${t.msg} | ${JSON.stringify(readFileSync(path, 'utf8'))}`, sb.root);
      assert.equal(got, want[i], `${JSON.stringify(content)} ${JSON.stringify(a)}`);
    } finally {
      sb.cleanup();
    }
  });
});
