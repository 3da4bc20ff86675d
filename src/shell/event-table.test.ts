import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENTS, encodeEvent, type EventSpec } from './event-table.js';
import { EventParser, type ScriptEvent } from './events.js';
import { PRELUDE } from './prelude.js';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Index just past the quoted or bracketed group starting at i (bash quoting, roughly but nested). */
function skipGroup(s: string, i: number): number {
  if (s[i] === "'") return s.indexOf("'", i + 1) + 1;
  const close = s[i] === '"' ? '"' : s.startsWith('$((', i) ? '))' : s.startsWith('$(', i) ? ')' : '}';
  let j = s[i] === '"' ? i + 1 : s.startsWith('$((', i) ? i + 3 : i + 2;
  while (j < s.length && !s.startsWith(close, j)) {
    if (s[j] === '\\') j += 2;
    else if ((s[j] === "'" && close !== '"') || s[j] === '"' || s.startsWith('$(', j) || s.startsWith('${', j)) j = skipGroup(s, j);
    else j++;
  }
  return j + close.length;
}

/** The words of a simple command (up to ; | & < > ) } # or the line's end). */
function words(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length || /[;|&<>)}#\n]/.test(s[i])) return out;
    const start = i;
    while (i < s.length && !/[\s;|&<>)]/.test(s[i])) {
      if (s[i] === "'" || s[i] === '"' || s.startsWith('$(', i) || s.startsWith('${', i)) i = skipGroup(s, i);
      else if (s[i] === '\\') i += 2;
      else i++;
    }
    out.push(s.slice(start, i));
  }
}

/** Every `chom__ev_TYPE args` call in the bash sources: file, line, type, argument count. */
function emitSites(): Array<{ where: string; type: string; args: number }> {
  const sites: Array<{ where: string; type: string; args: number }> = [];
  const files = readdirSync(`${SRC}shell/prelude`)
    .filter((f) => f.endsWith('.sh'))
    .map((f) => `shell/prelude/${f}`);
  files.push('journal/rollback-script.ts', 'shell/script.ts');
  for (const f of files) {
    readFileSync(`${SRC}${f}`, 'utf8')
      .split('\n')
      .forEach((line, n) => {
        for (const m of line.matchAll(/chom__ev_([a-z_]+)/g)) {
          if (line.trimStart().startsWith('#')) continue;
          sites.push({ where: `src/${f}:${n + 1}`, type: m[1], args: words(line.slice(m.index + m[0].length)).length });
        }
      });
  }
  return sites;
}

describe('script protocol: one event table', () => {
  it('every emit site names a table event and passes its fields in number', () => {
    const sites = emitSites();
    assert.ok(sites.length >= 12, `found only ${sites.length} emit sites`);
    for (const s of sites) {
      const spec: EventSpec | undefined = (EVENTS as Record<string, EventSpec>)[s.type];
      assert.ok(spec && !spec.fromController, `${s.where}: chom__ev_${s.type} is not a host event of src/shell/event-table.ts`);
      const need = spec.fields.filter((f) => !f.optional).length;
      assert.ok(
        s.args >= need && s.args <= spec.fields.length,
        `${s.where}: chom__ev_${s.type} gets ${s.args} arguments; the table has ${need}..${spec.fields.length}`,
      );
    }
    for (const [t, spec] of Object.entries(EVENTS) as Array<[string, EventSpec]>) {
      if (!spec.fromController)
        assert.ok(
          sites.some((s) => s.type === t),
          `event ${t} is in the table but nothing emits it`,
        );
    }
  });

  it('no hand-built event JSON is left in the bash sources', () => {
    for (const f of readdirSync(`${SRC}shell/prelude`).filter((x) => x.endsWith('.sh'))) {
      const text = readFileSync(`${SRC}shell/prelude/${f}`, 'utf8');
      assert.doesNotMatch(text, /\\"t\\":|"t":"/, `src/shell/prelude/${f}: build events with chom__ev_TYPE`);
    }
  });

  it('what each bash emitter sends decodes to the same values, however hostile the text', () => {
    const nasty = 'a "quoted" \\ back\nslash\ttab \u0001 ✓ $(x) `y`';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const code = [
      'CHOM_MARKER=M1234567; exec {CHOM_EVENT_FD}>&1',
      'chom__ev_begin 4',
      `chom__ev_task 4 failed 2 17 "$1" ${b64('+x\n')} ${b64('out')} timeout 3`,
      'chom__ev_task 5 ok 0 1 "plain" "" ""',
      'chom__ev_retry 4 1 2 5',
      'chom__ev_locked r1 "$1" ctl 2026 42',
      'chom__ev_warn "$1"',
      'chom__ev_abort disk-full "$1"',
      'chom__ev_interrupted TERM',
      'chom__ev_stopped controller-silent "$1"',
      'chom__ev_rollback r1 3 true',
      'chom__ev_undo 7 mkdir "$1" kept "$1"',
      'chom__ev_rollback_end 1 2 3 4 5',
      'chom__ev_confirm 9 /run/chom-play/confirm/x.1',
      'chom__ev_end 1 2 0 3 0 99',
    ].join('\n');
    const r = spawnSync('bash', ['-c', `set -euo pipefail\n${PRELUDE}\n${code}`, 'bash', nasty], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got: ScriptEvent[] = [];
    const p = new EventParser('M1234567', (e) => got.push(e));
    p.push(r.stdout);
    p.end();
    assert.deepEqual(p.stray, []);
    assert.deepEqual(got, [
      { t: 'begin', id: 4 },
      { t: 'task', id: 4, status: 'failed', rc: 2, ms: 17, msg: nasty, diff: '+x\n', output: 'out', class: 'timeout', attempts: 3 },
      { t: 'task', id: 5, status: 'ok', rc: 0, ms: 1, msg: 'plain', diff: '', output: '' },
      { t: 'retry', id: 4, attempt: 1, left: 2, delay: 5 },
      { t: 'locked', holder: { runId: 'r1', user: nasty, machine: 'ctl', since: '2026', pid: '42' } },
      { t: 'warn', msg: nasty },
      { t: 'abort', class: 'disk-full', msg: nasty },
      { t: 'interrupted', signal: 'TERM' },
      { t: 'stopped', reason: 'controller-silent', msg: nasty },
      { t: 'rollback', runId: 'r1', steps: 3, check: true },
      { t: 'undo', task: 7, op: 'mkdir', path: nasty, status: 'kept', msg: nasty },
      { t: 'rollback_end', undone: 1, kept: 2, skipped: 3, failed: 4, ms: 5 },
      { t: 'confirm', id: 9, file: '/run/chom-play/confirm/x.1' },
      { t: 'end', ok: 1, changed: 2, failed: 0, skipped: 3, ignored: 0, ms: 99 },
    ]);
  });

  it('the controller-built start line decodes by the same table', () => {
    const got: ScriptEvent[] = [];
    const p = new EventParser('M1234567', (e) => got.push(e));
    p.push(`M1234567 ${encodeEvent('start', { host: 'h"1', runId: 'r', check: true, diff: false })}\n`);
    p.end();
    assert.deepEqual(got, [{ t: 'start', host: 'h"1', runId: 'r', check: true, diff: false }]);
  });
});
