import { InputError, type SourceLoc } from '../errors.js';
import type { LoopForm } from '../playbook/loops.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The rendered terms of a `with_*` loop as the list of items Ansible's lookup gives
 * (dict -> {key, value}; subelements -> [parent, child]; together -> zipped, missing as null;
 * nested -> every combination; indexed_items -> [index, item]; sequence -> strings).
 */
export function loopItems(form: LoopForm, terms: unknown, what: string, loc: SourceLoc): unknown[] {
  const bad = (msg: string): InputError => new InputError(`${what}: ${msg}`, loc);
  switch (form) {
    case 'list':
    case 'items':
    case 'first_found':
      if (!Array.isArray(terms))
        throw bad(`loop must be a list, got ${typeof terms === 'string' ? `the string "${terms}"` : typeof terms}`);
      return form === 'items' ? terms.flatMap((x) => (Array.isArray(x) ? x : [x])) : terms;
    case 'dict':
      if (!isMap(terms)) throw bad(`with_dict needs a mapping, got ${Array.isArray(terms) ? 'a list' : typeof terms}`);
      return Object.entries(terms).map(([key, value]) => ({ key, value }));
    case 'subelements': {
      if (!Array.isArray(terms) || terms.length < 2 || typeof terms[1] !== 'string')
        throw bad('with_subelements needs [list, "key"] (and optionally {skip_missing: true})');
      const [list, key, flags] = terms as [unknown, string, unknown];
      const skip = isMap(flags) && (flags.skip_missing === true || flags.skip_missing === 'yes');
      const parents = isMap(list) ? Object.values(list) : list;
      if (!Array.isArray(parents)) throw bad('with_subelements: the first term must be a list of mappings');
      const out: unknown[] = [];
      for (const p of parents) {
        let sub: unknown = p;
        for (const part of key.split('.')) sub = isMap(sub) ? sub[part] : undefined;
        if (sub === undefined) {
          if (skip) continue;
          throw bad(`with_subelements: an item has no "${key}" (add {skip_missing: true} to skip it)`);
        }
        if (!Array.isArray(sub)) throw bad(`with_subelements: "${key}" must be a list`);
        for (const c of sub) out.push([p, c]);
      }
      return out;
    }
    case 'together': {
      const lists = lists2(terms, 'with_together', bad);
      const n = Math.max(0, ...lists.map((l) => l.length));
      return Array.from({ length: n }, (_, i) => lists.map((l) => (i < l.length ? l[i] : null)));
    }
    case 'nested': {
      const lists = lists2(terms, 'with_nested', bad);
      return lists.reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((x) => [...a, x])), [[]]);
    }
    case 'indexed_items': {
      if (!Array.isArray(terms)) throw bad('with_indexed_items needs a list');
      return terms.flatMap((x) => (Array.isArray(x) ? x : [x])).map((x, i) => [i, x]);
    }
    case 'sequence':
      return sequence(terms, bad);
  }
}

function lists2(terms: unknown, what: string, bad: (m: string) => InputError): unknown[][] {
  if (!Array.isArray(terms)) throw bad(`${what} needs a list of lists`);
  return terms.map((l) => (Array.isArray(l) ? l : [l]));
}

/** with_sequence: "start=1 end=5 stride=1 format=x%02d" or "count=3"; items are strings, as in Ansible. */
function sequence(terms: unknown, bad: (m: string) => InputError): string[] {
  const text = Array.isArray(terms) ? terms.map(String).join(' ') : String(terms);
  const kv: Record<string, string> = {};
  const short = /^\s*(\d+)-(\d+)(?:\/(\d+))?(?::(\S+))?\s*$/.exec(text);
  if (short)
    Object.assign(kv, {
      start: short[1],
      end: short[2],
      ...(short[3] ? { stride: short[3] } : {}),
      ...(short[4] ? { format: short[4] } : {}),
    });
  else for (const m of text.matchAll(/(\w+)=(\S+)/g)) kv[m[1]] = m[2];
  const start = Number(kv.start ?? 1);
  const stride = Number(kv.stride ?? 1);
  const end = kv.count !== undefined ? start + (Number(kv.count) - 1) * stride : Number(kv.end);
  if (![start, stride, end].every(Number.isFinite) || stride === 0) throw bad(`with_sequence: cannot read "${text}"`);
  const out: string[] = [];
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride)
    out.push(
      kv.format
        ? kv.format.replace(/%(0?\d*)d/, (_, w: string) => String(i).padStart(Number(w || 0), w.startsWith('0') ? '0' : ' '))
        : String(i),
    );
  return out;
}

/** ansible_loop under loop_control.extended. */
export function extendedLoop(items: unknown[], i: number): Record<string, unknown> {
  const n = items.length;
  return {
    allitems: items,
    index: i + 1,
    index0: i,
    revindex: n - i,
    revindex0: n - i - 1,
    first: i === 0,
    last: i === n - 1,
    length: n,
    ...(i > 0 ? { previtem: items[i - 1] } : {}),
    ...(i < n - 1 ? { nextitem: items[i + 1] } : {}),
  };
}
