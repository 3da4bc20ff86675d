import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchExceeds, serialBatches } from './serial.js';

const six = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'];

test('serial: 2 on 6 hosts makes 3 batches in inventory order', () => {
  assert.deepEqual(serialBatches(six, 2), [
    ['h1', 'h2'],
    ['h3', 'h4'],
    ['h5', 'h6'],
  ]);
});

test('no serial is one batch of every host; serial 0 too', () => {
  assert.deepEqual(serialBatches(six, undefined), [six]);
  assert.deepEqual(serialBatches(six, 0), [six]);
});

test('percentages round down with at least one host, lists repeat their last step', () => {
  assert.deepEqual(
    serialBatches(six, '30%').map((b) => b.length),
    [1, 1, 1, 1, 1, 1],
  );
  assert.deepEqual(
    serialBatches(six, '50%').map((b) => b.length),
    [3, 3],
  );
  assert.deepEqual(
    serialBatches(six, [1, '50%']).map((b) => b.length),
    [1, 3, 2],
  );
  assert.deepEqual(
    serialBatches(six, [1, 2]).map((b) => b.length),
    [1, 2, 2, 1],
  );
});

test('a bad serial value is an input error naming the value', () => {
  assert.throws(() => serialBatches(six, 'two'), /serial: "two" is not a host count/);
});

test('max_fail_percentage must be exceeded: 0 stops on any failure, 50 tolerates half', () => {
  assert.equal(batchExceeds(1, 2, 0), true);
  assert.equal(batchExceeds(0, 2, 0), false);
  assert.equal(batchExceeds(1, 2, 50), false);
  assert.equal(batchExceeds(2, 2, 50), true);
  assert.equal(batchExceeds(5, 5, undefined), false);
});
