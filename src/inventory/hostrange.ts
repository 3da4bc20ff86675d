/**
 * Ansible's host ranges in inventory keys: `www[01:03].example.com` declares www01, www02,
 * www03 (zero padding kept), `db-[a:c]` declares db-a..db-c, `[1:9:2]` steps by 2.
 * Returns undefined when the name holds no range. Throws a plain Error with the reason
 * when the range is malformed (the caller adds file:line:col).
 */
export function expandHostRange(name: string): string[] | undefined {
  const m = /^(.*?)\[([^\]]*)\](.*)$/.exec(name);
  if (!m) return undefined;
  const [, head, body, tail] = m;
  const parts = body.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`range "[${body}]" must be [START:END] or [START:END:STEP]`);
  const [start, end, stepText] = parts;
  const step = stepText === undefined || stepText === '' ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw new Error(`range step "${stepText}" must be a positive integer`);
  const middles: string[] = [];
  if (/^\d+$/.test(start) && /^\d+$/.test(end)) {
    const from = Number(start);
    const to = Number(end);
    if (from > to) throw new Error(`range start ${start} is after its end ${end}`);
    // A leading zero in START asks for zero padding to its width, as in Ansible.
    const width = start.length > 1 && start.startsWith('0') ? start.length : 0;
    for (let i = from; i <= to; i += step) middles.push(String(i).padStart(width, '0'));
  } else if (/^[a-z]$/i.test(start) && /^[a-z]$/i.test(end)) {
    const from = start.charCodeAt(0);
    const to = end.charCodeAt(0);
    if (from > to) throw new Error(`range start ${start} is after its end ${end}`);
    for (let c = from; c <= to; c += step) middles.push(String.fromCharCode(c));
  } else {
    throw new Error(`range "[${body}]" must be numbers ([01:10]) or single letters ([a:f])`);
  }
  const out: string[] = [];
  for (const mid of middles) {
    // Several ranges in one name multiply out (web[1:2]-[a:b]).
    const rest = expandHostRange(mid + tail);
    for (const r of rest ?? [mid + tail]) out.push(head + r);
  }
  return out;
}
