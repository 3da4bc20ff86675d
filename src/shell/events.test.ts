import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventParser, type ScriptEvent } from './events.js';

const b = (s: string) => Buffer.from(s).toString('base64');

describe('EventParser', () => {
  it('decodes events split across chunks anywhere, even inside a multi-byte character', () => {
    const text =
      'M1234567 {"t":"start","host":"h","run_id":"r","check":true,"diff":false}\n' +
      `M1234567 {"t":"task","id":2,"status":"changed","rc":0,"ms":5,"msg_b64":"${b('created ✓')}","diff_b64":"${b('+x\n')}","out_b64":""}\n` +
      'M1234567 {"t":"end","ok":1,"changed":1,"failed":0,"skipped":0,"ignored":0,"ms":9}\n';
    const bytes = Buffer.from(text);
    for (const size of [1, 3, 7, bytes.length]) {
      const got: ScriptEvent[] = [];
      const p = new EventParser('M1234567', (e) => got.push(e));
      for (let i = 0; i < bytes.length; i += size) p.push(bytes.subarray(i, i + size));
      p.end();
      assert.deepEqual(
        got.map((e) => e.t),
        ['start', 'task', 'end'],
        `chunk size ${size}`,
      );
      const t = got[1];
      assert.ok(t.t === 'task');
      assert.equal(t.msg, 'created ✓');
      assert.equal(t.diff, '+x\n');
      assert.equal(t.output, '');
      assert.ok(got[0].t === 'start' && got[0].check === true);
    }
  });

  it('ignores lines without the marker (kept as stray) and lines with another marker', () => {
    const got: ScriptEvent[] = [];
    const p = new EventParser('RIGHT123', (e) => got.push(e));
    p.push('some noise\nWRONG123 {"t":"task","id":1,"status":"ok"}\nRIGHT123 not json\n');
    p.push('RIGHT123 {"t":"task","id":1,"status":"bogus"}\nRIGHT123 {"t":"task","id":1,"status":"ok","rc":0,"ms":1}');
    p.end();
    assert.equal(got.length, 1);
    assert.equal(p.stray.length, 4);
  });
});
