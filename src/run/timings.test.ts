import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSpans, formatTimings, phaseDone, phaseTimings, resetTimings, sumPhases, timed, timedSync } from './timings.js';

test('-v timings: each phase is the time since the previous one, a repeated phase is summed, the tail is "other"', () => {
  const t = sumPhases(
    [
      { phase: 'start-up', at: 80, cpuUs: 60_000 },
      { phase: 'compile', at: 120, cpuUs: 95_000 },
      { phase: 'scripts', at: 520, cpuUs: 100_000 },
      { phase: 'compile', at: 530, cpuUs: 108_000 },
    ],
    { at: 540, cpuUs: 109_000 },
  );
  assert.deepEqual(t, [
    { phase: 'start-up', ms: 80, cpuMs: 60 },
    { phase: 'compile', ms: 50, cpuMs: 43 },
    { phase: 'scripts', ms: 400, cpuMs: 5 },
    { phase: 'other (after the last phase)', ms: 10, cpuMs: 1 },
  ]);
  const text = formatTimings(t);
  assert.match(text, /^ {2}scripts +400 ms wall +5 ms cpu$/m);
  assert.match(text, /^ {2}total +540 ms wall +109 ms cpu$/m);
});

test('-v timings: waiting (ssh, the hosts) shows as wall time, measured from the real clock', async () => {
  resetTimings();
  phaseDone('start-up');
  await new Promise((r) => setTimeout(r, 40));
  phaseDone('wait');
  const wait = phaseTimings().find((x) => x.phase === 'wait')!;
  assert.ok(wait.ms >= 35, `wall ${wait.ms}`);
  assert.ok(wait.cpuMs < wait.ms, `cpu ${wait.cpuMs} < wall ${wait.ms}`);
});

test('-v timings: per-host steps are summed over hosts with the slowest one, since hosts overlap', async () => {
  resetTimings();
  await Promise.all([
    timed('connect (ssh)', new Promise((r) => setTimeout(r, 30))),
    timed('connect (ssh)', new Promise((r) => setTimeout(r, 60))),
  ]);
  assert.equal(
    timedSync('compile plans', () => 7),
    7,
  );
  const text = formatSpans();
  const m = /^ {2}connect \(ssh\) +(\d+) ms summed over 2 host\(s\), slowest (\d+) ms$/m.exec(text);
  assert.ok(m, text);
  assert.ok(Number(m[1]) >= 85 && Number(m[2]) >= 55 && Number(m[2]) < Number(m[1]), text);
  assert.match(text, /^ {2}compile plans +\d+ ms summed over 1 host\(s\)/m);
});
