import { J2Error, type Dict } from './values.js';
import { suggestName } from './suggest.js';

/**
 * The one filter and test library: templates (.j2) and expressions in playbook values use
 * the same functions. Filters receive the value already checked to be defined, except those
 * listed in TAKES_UNDEFINED (default, mandatory), which decide themselves.
 */
export type FilterFn = (v: unknown, args: unknown[], kw: Dict, pos: number) => unknown;
export type TestFn = (v: unknown, args: unknown[], pos: number) => boolean;

export const FILTERS: Record<string, FilterFn> = Object.create(null) as Record<string, FilterFn>;
export const TESTS: Record<string, TestFn> = Object.create(null) as Record<string, TestFn>;
export const TAKES_UNDEFINED = new Set(['default', 'd', 'mandatory']);
export const TESTS_TAKE_UNDEFINED = new Set(['defined', 'undefined']);

/** Filters Ansible/Jinja2 have whose result cannot be reproduced (random, secrets, network). */
export const KNOWN_UNSUPPORTED: Record<string, string> = {
  random: 'its output differs on every run',
  shuffle: 'its output differs on every run',
  password_hash: 'it needs a random salt; pass a precomputed hash',
  ipaddr: 'it needs the netaddr Python library',
  ipv4: 'it needs the netaddr Python library',
  ipv6: 'it needs the netaddr Python library',
  ansible_ipaddr: 'it needs the netaddr Python library',
  vault: 'use chom-play secrets',
  unvault: 'use chom-play secrets',
  json_query: 'it needs the jmespath Python library; use selectattr/map',
};

export function filterFn(name: string, pos: number): FilterFn {
  const f = FILTERS[name];
  if (f) return f;
  if (Object.hasOwn(KNOWN_UNSUPPORTED, name)) throw new J2Error(`unsupported filter "${name}": ${KNOWN_UNSUPPORTED[name]}`, pos);
  throw new J2Error(`unknown filter "${name}"`, pos, suggestName(name, Object.keys(FILTERS)));
}

export function testFn(name: string, pos: number): TestFn {
  const t = TESTS[name];
  if (t) return t;
  throw new J2Error(`unknown test "${name}"`, pos, suggestName(name, Object.keys(TESTS)));
}
