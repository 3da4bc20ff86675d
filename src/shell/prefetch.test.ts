import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot, runTasks, sandbox, task } from '../../test/modules/harness.js';
import { managedPaths, normPath } from './prefetch.js';

const skip = isRoot ? false : 'needs root (chown)';
const modeOf = (p: string) => (statSync(p).mode & 0o7777).toString(8).padStart(4, '0');

describe('metadata read once at the start (chom__prefetch)', { skip }, () => {
  it('a later task sees what an earlier task changed, never the metadata read at the start', () => {
    const sb = sandbox();
    try {
      const a = join(sb.root, 'a');
      const d = join(sb.root, 'd');
      writeFileSync(a, 'x');
      chmodSync(a, 0o600);
      mkdirSync(d, { mode: 0o700 });
      chmodSync(d, 0o700);
      // What the file module does for mode: (bring attributes in line, else say why not).
      const file = (p: string, _state: string, mode: string) =>
        `chom_set_attrs ${p} ${mode} '' ''; chom_has_changed || chom_ok "${p} is as wanted"`;
      const r = runTasks(sb, [
        task(1, file(a, 'file', '0600'), { paths: [a] }),
        // A command changes the mode behind the cache's back (it reports changed).
        task(2, `chmod 0644 ${a}; chom_changed chmod`),
        task(3, file(a, 'file', '0600'), { paths: [a] }),
        task(4, file(d, 'directory', '0755'), { paths: [d] }),
        task(5, file(d, 'directory', '0755'), { paths: [d] }),
      ]);
      assert.deepEqual(
        r.tasks.map((t) => [t.id, t.status]),
        [
          [1, 'ok'],
          [2, 'changed'],
          [3, 'changed'],
          [4, 'changed'],
          [5, 'ok'],
        ],
      );
      assert.equal(modeOf(a), '0600');
      assert.equal(modeOf(d), '0755');
      // The second pass reads everything from the one stat and changes nothing.
      const again = runTasks(sb, [
        task(1, file(a, 'file', '0600'), { paths: [a] }),
        task(2, file(d, 'directory', '0755'), { paths: [d, join(sb.root, 'missing')] }),
      ]);
      assert.deepEqual(
        again.tasks.map((t) => t.status),
        ['ok', 'ok'],
      );
    } finally {
      sb.cleanup();
    }
  });

  it('file-managing modules name their path; others and relative paths name none', () => {
    assert.deepEqual(managedPaths('template', { src: 'a.j2', dest: '/etc//x/' }), ['/etc/x']);
    assert.deepEqual(managedPaths('lineinfile', { path: '/etc/f', line: 'x' }), ['/etc/f']);
    assert.equal(managedPaths('command', { cmd: 'ls /etc' }), undefined);
    assert.equal(managedPaths('file', { path: 'relative/x' }), undefined);
    assert.equal(normPath('/'), '/');
  });
});
