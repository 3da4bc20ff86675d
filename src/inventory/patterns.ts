import { InputError } from '../errors.js';
import type { HostEntry, Inventory } from './model.js';

/** Names Ansible treats as the controller itself when they are not declared. */
const LOCALHOST_NAMES = ['localhost', '127.0.0.1'];

/**
 * Hosts matching an Ansible host pattern, in declaration order, each once.
 *   web            a group (its hosts and its descendants') or, when no group has the name, a host
 *   all, *         every host
 *   web*, db?      globs over group and host names;  ~web\d+  a regular expression (anchored at the start)
 *   web[0], web[1:3], web[-1], web[2:]   subscripts over a group's hosts (inclusive end, as Ansible)
 *   a:b, a,b       union;  a:&b  intersection;  a:!b  exclusion
 * As in Ansible, unions apply first, then intersections, then exclusions (so `!db` alone means
 * `all:!db`). A part matching nothing adds nothing. `localhost` names the controller even when
 * the inventory does not declare it (Ansible's implicit localhost; see hostEntry()).
 */
export function selectHosts(inv: Inventory, pattern: string): string[] {
  const terms = splitPattern(pattern);
  if (terms.length === 0) return [];
  const regular = terms.filter((t) => t[0] !== '!' && t[0] !== '&');
  const inter = terms.filter((t) => t[0] === '&').map((t) => t.slice(1));
  const exclude = terms.filter((t) => t[0] === '!').map((t) => t.slice(1));
  const selected = new Set<string>();
  for (const t of regular.length > 0 ? regular : ['all']) for (const h of matchTerm(inv, t)) selected.add(h);
  for (const t of inter) {
    const keep = new Set(matchTerm(inv, t));
    for (const h of [...selected]) if (!keep.has(h)) selected.delete(h);
  }
  for (const t of exclude) for (const h of matchTerm(inv, t)) selected.delete(h);
  const order = [...inv.hosts.keys()];
  const rank = (h: string): number => (inv.hosts.has(h) ? order.indexOf(h) : order.length);
  return [...selected].sort((a, b) => rank(a) - rank(b));
}

/** The host's entry, or a stand-in for Ansible's implicit localhost (vars of group all + local connection). */
export function hostEntry(inv: Inventory, name: string): HostEntry | undefined {
  const declared = inv.hosts.get(name);
  if (declared || !LOCALHOST_NAMES.includes(name)) return declared;
  const allVars = inv.groups.get('all')?.vars ?? {};
  return { name, groups: ['all'], vars: { ...allVars, ansible_connection: 'local' }, loc: { file: inv.file, line: 1, col: 1 }, implicit: true };
}

/** Ansible splits on commas when there are any, else on colons outside `[...]`. */
export function splitPattern(pattern: string): string[] {
  const p = pattern.trim();
  if (p.includes(',')) return p.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of p) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function matchTerm(inv: Inventory, term: string): string[] {
  const { name, subscript } = splitSubscript(term);
  let hosts = matchName(inv, name);
  if (subscript) hosts = applySubscript(hosts, subscript);
  return hosts;
}

function matchName(inv: Inventory, name: string): string[] {
  const isRegex = name.startsWith('~');
  const isGlob = !isRegex && /[*?[]/.test(name);
  const found = new Set<string>();
  if (isRegex || isGlob) {
    const re = isRegex ? regex(name.slice(1)) : globToRegExp(name);
    for (const g of inv.groups.values()) if (re.test(g.name)) g.hosts.forEach((h) => found.add(h));
    for (const h of inv.hosts.keys()) if (re.test(h)) found.add(h);
  } else {
    const g = inv.groups.get(name);
    if (g) g.hosts.forEach((h) => found.add(h));
    else if (inv.hosts.has(name)) found.add(name);
    else if (LOCALHOST_NAMES.includes(name)) found.add(name);
  }
  const order = [...inv.hosts.keys()];
  return [...found].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

type Subscript = { start: number; end?: number | 'end' };

/** `web[1]`, `web[0:2]`, `web[2:]` (not for regexes, where brackets are character classes). */
function splitSubscript(term: string): { name: string; subscript?: Subscript } {
  if (term.startsWith('~')) return { name: term };
  const m = /^(.+)\[(-?\d+)(?:(:)(-?\d+)?)?\]$/.exec(term);
  if (!m) return { name: term };
  const start = Number(m[2]);
  if (!m[3]) return { name: m[1], subscript: { start } };
  return { name: m[1], subscript: { start, end: m[4] === undefined ? 'end' : Number(m[4]) } };
}

function applySubscript(hosts: string[], s: Subscript): string[] {
  const norm = (i: number): number => (i < 0 ? hosts.length + i : i);
  const start = norm(s.start);
  if (s.end === undefined) return start >= 0 && start < hosts.length ? [hosts[start]] : [];
  const end = s.end === 'end' ? hosts.length - 1 : norm(s.end);
  return hosts.slice(Math.max(0, start), end + 1);
}

function regex(source: string): RegExp {
  try {
    // Anchored at the start only, like Python's re.match used by Ansible.
    return new RegExp(`^(?:${source})`);
  } catch (err) {
    throw new InputError(`host pattern "~${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

/** fnmatch: * any run, ? one char, [abc] / [!abc] a class; the whole name must match. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close === -1) re += '\\[';
      else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
