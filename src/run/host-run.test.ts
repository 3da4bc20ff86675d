import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideContent } from './host-run.js';

test('a diff of a file written from secrets keeps its file labels and shows no content line, old or new', () => {
  const diff = '--- /etc/app.env (before)\n+++ /etc/app.env (after)\n@@ -1,2 +1,2 @@\n-password=OLDVALUE\n+password=NEWVALUE\n user=app\n';
  const out = hideContent(diff);
  assert.match(out, /^--- \/etc\/app.env \(before\)\n\+\+\+ \/etc\/app.env \(after\)\n@@ content not shown/);
  assert.ok(!out.includes('OLDVALUE') && !out.includes('NEWVALUE') && !out.includes('user=app'));
});
