import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventParser, holderText, type ScriptEvent } from './events.js';

const b = (s: string) => Buffer.from(s).toString('base64');

function parse(lines: string[]): { events: ScriptEvent[]; stray: string[] } {
  const events: ScriptEvent[] = [];
  const p = new EventParser('M1234567', (e) => events.push(e));
  p.push(lines.map((l) => `M1234567 ${l}\n`).join(''));
  p.end();
  return { events, stray: p.stray };
}

describe('safety events', () => {
  it('decodes lock refusals, warnings, aborts, retries, interruptions and rollback steps', () => {
    const { events, stray } = parse([
      '{"t":"locked","run_id":"r1","user":"bob","machine":"ctl","since":"2026-01-01T00:00:00Z","pid":"42"}',
      `{"t":"warn","msg_b64":"${b('took over')}"}`,
      `{"t":"abort","class":"disk-full","msg_b64":"${b('disk full: /')}"}`,
      '{"t":"retry","id":3,"attempt":1,"left":2,"delay":5}',
      '{"t":"interrupted","signal":"TERM"}',
      '{"t":"rollback","run_id":"r1","steps":4,"check":false}',
      `{"t":"undo","task":7,"op":"mkdir","path":"/srv/x","status":"kept","msg_b64":"${b('kept directory /srv/x')}"}`,
      '{"t":"rollback_end","undone":3,"kept":1,"skipped":0,"failed":0,"ms":12}',
      `{"t":"task","id":2,"status":"failed","rc":124,"ms":5,"msg_b64":"${b('timed out after 2 s')}","diff_b64":"","out_b64":"","class":"timeout","attempts":3}`,
    ]);
    assert.deepEqual(stray, []);
    assert.deepEqual(
      events.map((e) => e.t),
      ['locked', 'warn', 'abort', 'retry', 'interrupted', 'rollback', 'undo', 'rollback_end', 'task'],
    );
    const l = events[0];
    assert.ok(l.t === 'locked');
    assert.equal(holderText(l.holder), 'run r1 by bob from ctl since 2026-01-01T00:00:00Z (pid 42)');
    const t = events[8];
    assert.ok(t.t === 'task' && t.class === 'timeout' && t.attempts === 3);
    const u = events[6];
    assert.ok(u.t === 'undo' && u.status === 'kept' && u.msg === 'kept directory /srv/x');
  });

  it('unknown classes and undo statuses are not trusted', () => {
    const { events, stray } = parse([
      `{"t":"task","id":2,"status":"failed","rc":1,"ms":5,"msg_b64":"","diff_b64":"","out_b64":"","class":"rm -rf"}`,
      '{"t":"undo","task":1,"op":"x","path":"/","status":"exploded","msg_b64":""}',
      '{"t":"abort","class":"weird","msg_b64":""}',
    ]);
    assert.equal(events.length, 2);
    assert.ok(events[0].t === 'task' && events[0].class === undefined);
    assert.ok(events[1].t === 'abort' && events[1].class === 'other');
    assert.equal(stray.length, 1);
  });
});
