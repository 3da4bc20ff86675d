import { InputError, type SourceLoc } from '../errors.js';

/**
 * Rolling updates as in Ansible: `serial:` is a number, a percentage ("30%") or a list of them
 * (the last one repeats); a percentage of the play's hosts rounds down, at least 1 host.
 */
export function serialBatches(hosts: readonly string[], serial: unknown, loc?: SourceLoc): string[][] {
  if (serial === undefined || serial === null || hosts.length === 0) return hosts.length ? [[...hosts]] : [];
  const steps = (Array.isArray(serial) ? serial : [serial]).map((v) => batchSize(v, hosts.length, loc));
  if (steps.length === 0) return [[...hosts]];
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const n = steps[Math.min(k++, steps.length - 1)];
    out.push(hosts.slice(i, i + n));
    i += n;
  }
  return out;
}

function batchSize(v: unknown, total: number, loc?: SourceLoc): number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v === 0 ? total : v;
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
    if (m) return Math.max(1, Math.floor((total * Number(m[1])) / 100));
    if (/^\s*\d+\s*$/.test(v)) return Number(v) === 0 ? total : Number(v);
  }
  throw new InputError(
    `serial: ${JSON.stringify(v)} is not a host count or a percentage`,
    loc,
    'write serial: 2, serial: "30%" or serial: [1, 5, "50%"]',
  );
}

/** Ansible: the batch aborts the run when its failed share EXCEEDS the limit (so 0 = any failure). */
export function batchExceeds(failed: number, batchSize: number, limit: number | undefined): boolean {
  if (limit === undefined || batchSize === 0) return false;
  return (failed * 100) / batchSize > limit;
}
