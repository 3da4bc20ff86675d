import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { boolOr, parseBool } from './bool.js';

describe('parseBool (Ansible boolean())', () => {
  it('reads every Ansible true spelling, in any case', () => {
    for (const v of [true, 1, 'yes', 'Yes', 'YES', 'y', 'on', 'On', 'true', 'True', 'TRUE', 't', '1', ' yes '])
      assert.equal(parseBool(v), true, String(v));
  });
  it('reads every Ansible false spelling, in any case', () => {
    for (const v of [false, 0, 'no', 'No', 'n', 'off', 'Off', 'false', 'False', 'f', '0', '']) assert.equal(parseBool(v), false, String(v));
  });
  it('refuses anything else instead of guessing', () => {
    for (const v of ['maybe', 'yess', 2, null, undefined, [], {}]) assert.equal(parseBool(v), undefined, String(v));
  });
  it('boolOr gives the default only for absent or unreadable values', () => {
    assert.equal(boolOr(undefined, true), true);
    assert.equal(boolOr('off', true), false);
    assert.equal(boolOr('On', false), true);
  });
});
