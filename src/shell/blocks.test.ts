import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRoot, runTasks, sandbox, task } from '../../test/modules/harness.js';
import { rescuedTaskIds, type ScriptBlockFrame } from './blocks.js';
import type { ScriptTask } from './script.js';

const B = (id: number, section: ScriptBlockFrame['section']): ScriptBlockFrame => ({ id, section, label: `block ${id} (t.yml:1)` });
const t = (id: number, body: string, blocks: ScriptBlockFrame[]): ScriptTask => task(id, body, { blocks });
const ran = (r: ReturnType<typeof runTasks>): string[] => r.tasks.map((x) => `${x.id}:${x.status}`);

describe('block / rescue / always in the script', { skip: isRoot ? false : 'needs root (runs the script)' }, () => {
  it('a failing block task skips the rest of the block, runs rescue then always, and the host carries on', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [
        t(1, 'chom_changed one', [B(7, 'block')]),
        t(2, 'false', [B(7, 'block')]),
        t(3, 'chom_changed never', [B(7, 'block')]),
        t(4, 'chom_changed rescued', [B(7, 'rescue')]),
        t(5, 'chom_changed always', [B(7, 'always')]),
        task(6, 'chom_changed after'),
      ]);
      assert.deepEqual(ran(r), ['1:changed', '2:failed', '4:changed', '5:changed', '6:changed']);
      assert.equal(r.code, 0, 'a rescued failure does not fail the host');
    } finally {
      sb.cleanup();
    }
  });

  it('a block that succeeds skips rescue and still runs always', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [
        t(1, ':', [B(1, 'block')]),
        t(2, 'chom_changed r', [B(1, 'rescue')]),
        t(3, ':', [B(1, 'always')]),
        task(4, ':'),
      ]);
      assert.deepEqual(ran(r), ['1:ok', '3:ok', '4:ok']);
      assert.equal(r.code, 0);
    } finally {
      sb.cleanup();
    }
  });

  it('without rescue, always runs and then the host stops failed', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [t(1, 'false', [B(1, 'block')]), t(2, 'chom_changed a', [B(1, 'always')]), task(3, 'chom_changed never')]);
      assert.deepEqual(ran(r), ['1:failed', '2:changed']);
      assert.equal(r.code, 2);
    } finally {
      sb.cleanup();
    }
  });

  it('a failing rescue fails the host after always; a nested failure is rescued by the outer block', () => {
    const sb = sandbox();
    try {
      const r = runTasks(sb, [t(1, 'false', [B(1, 'block')]), t(2, 'false', [B(1, 'rescue')]), t(3, ':', [B(1, 'always')]), task(4, ':')]);
      assert.deepEqual(ran(r), ['1:failed', '2:failed', '3:ok']);
      assert.equal(r.code, 2);
      const n = runTasks(sb, [
        t(1, 'false', [B(1, 'block'), B(2, 'block')]),
        t(2, ':', [B(1, 'block'), B(2, 'always')]),
        t(3, ':', [B(1, 'block')]),
        t(4, 'chom_changed outer-rescue', [B(1, 'rescue')]),
        task(5, ':'),
      ]);
      assert.deepEqual(ran(n), ['1:failed', '2:ok', '4:changed', '5:ok']);
      assert.equal(n.code, 0);
    } finally {
      sb.cleanup();
    }
  });
});

describe('which failures count as rescued', () => {
  it('tasks of a block with rescue tasks (and of blocks inside it), not those of rescue or always', () => {
    const ids = rescuedTaskIds([
      t(1, ':', [B(1, 'block')]),
      t(2, ':', [B(1, 'block'), B(2, 'always')]),
      t(3, ':', [B(1, 'rescue')]),
      t(4, ':', [B(1, 'always')]),
      t(5, ':', [B(3, 'block')]),
      t(6, ':', [B(3, 'always')]),
    ]);
    assert.deepEqual([...ids], [1, 2]);
  });
});
