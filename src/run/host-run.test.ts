import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideRemoved } from './host-run.js';

test('a diff of a file written from secrets shows no old line (a rotated secret), only labels, new and context lines', () => {
  const diff = '--- /etc/app.env (before)\n+++ /etc/app.env (after)\n@@ -1,2 +1,2 @@\n-password=OLDVALUE\n+password=********\n user=app\n';
  const out = hideRemoved(diff);
  assert.equal(out, '--- /etc/app.env (before)\n+++ /etc/app.env (after)\n@@ -1,2 +1,2 @@\n-[old line not shown: this file is written from secrets]\n+password=********\n user=app\n');
});
