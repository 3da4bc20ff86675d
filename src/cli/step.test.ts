import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Playbook, Task } from '../playbook/model.js';
import { applyStep, setStepMode } from './step.js';

function playbook(names: string[]): Playbook {
  const tasks = names.map((name) => ({ name, when: [] as string[] }) as unknown as Task);
  return { plays: [{ tasks }] } as unknown as Playbook;
}

describe('--step', () => {
  after(() => setStepMode(false));

  it('y runs, n and an empty answer skip (when false), c runs the rest without asking', () => {
    setStepMode(true);
    const pb = playbook(['a', 'b', 'c', 'd', 'e']);
    const answers = ['y', 'n', '', 'c'];
    const asked: string[] = [];
    applyStep(pb, (q) => {
      asked.push(q);
      return answers.shift() ?? 'y';
    });
    assert.deepEqual(
      pb.plays[0].tasks.map((t) => t.when),
      [[], ['false'], ['false'], [], []],
    );
    assert.equal(asked.length, 4);
    assert.equal(asked[0], 'Perform task: TASK: a (N)o/(y)es/(c)ontinue: ');
  });

  it('without --step nothing is asked', () => {
    setStepMode(false);
    applyStep(playbook(['a']), () => assert.fail('asked'));
  });
});
