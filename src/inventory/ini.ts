import { InputError, type SourceLoc } from '../errors.js';
import type { YamlFile } from '../yaml/read.js';
import { iniValue } from './pyliteral.js';

/**
 * Ansible's INI inventory (plugins/inventory/ini.py), turned into the same tree a YAML
 * inventory gives, so one walker (parse.ts) builds groups and hosts from both:
 *   [group] host lines, [group:vars] key=value, [group:children] group names,
 *   lines before any section are hosts of "ungrouped". Every value goes through
 *   Python's literal_eval as Ansible does (`port=22` is 22, `x=yes` stays "yes").
 */
interface Node {
  hosts: Record<string, Record<string, unknown>>;
  vars: Record<string, unknown>;
  children: Record<string, null>;
}

export function parseIniInventory(text: string, file: string): YamlFile {
  const tree: Record<string, Node> = {};
  const locs = new Map<string, SourceLoc>();
  const at = (line: number, col = 1): SourceLoc => ({ file, line, col });
  const fail = (line: number, msg: string, hint?: string): never => {
    throw new InputError(`${msg} (read as an INI inventory)`, at(line), hint ?? 'INI inventory lines are: [group], [group:vars], [group:children], "host key=value ...", "key=value" under :vars');
  };
  const groupNode = (name: string, line: number): Node => {
    let g = tree[name];
    if (!g) {
      g = { hosts: {}, vars: {}, children: {} };
      tree[name] = g;
      locs.set(name, at(line));
    }
    return g;
  };
  // A group first named under [x:children] or [x:vars] must be defined somewhere (Ansible's rule).
  const pending = new Map<string, { line: number; how: string }>();
  const defined = new Set<string>(['all', 'ungrouped']);
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, idx) => {
    const line = idx + 1;
    const s = raw.trim();
    if (!s || s.startsWith('#') || s.startsWith(';')) return;
    const sec = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/.exec(s);
    if (sec) {
      group = sec[1];
      const kind = sec[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') fail(line, `section [${sec[1]}:${kind}] has unknown type "${kind}"`, 'use [group], [group:vars] or [group:children]');
      state = kind as typeof state;
      groupNode(group, line);
      if (state === 'vars') {
        if (!defined.has(group) && !pending.has(group)) pending.set(group, { line, how: `[${group}:vars]` });
      } else {
        defined.add(group);
        pending.delete(group);
      }
      return;
    }
    if (s.startsWith('[') && s.endsWith(']')) fail(line, `invalid section "${s}"`, 'no spaces or ":" inside a group name; [name], [name:vars] or [name:children]');
    if (state === 'vars') {
      const eq = s.indexOf('=');
      if (eq < 0) fail(line, `expected key=value, got "${s}"`);
      const k = s.slice(0, eq).trim();
      groupNode(group, line).vars[k] = iniValue(s.slice(eq + 1).trim());
      locs.set([group, 'vars', k].join('\0'), at(line));
    } else if (state === 'children') {
      const m = /^([^:\]\s]+)\s*(?:#.*)?$/.exec(s);
      if (!m) return fail(line, `expected a group name, got "${s}"`);
      groupNode(group, line).children[m[1]] = null;
      groupNode(m[1], line);
      locs.set([group, 'children', m[1]].join('\0'), at(line));
      if (!defined.has(m[1]) && !pending.has(m[1])) pending.set(m[1], { line, how: `[${group}:children]` });
    } else {
      let tokens: string[];
      try {
        tokens = shlexSplit(s);
      } catch (err) {
        return fail(line, `cannot read host line: ${(err as Error).message}`);
      }
      if (tokens.length === 0) return;
      const [host, ...assigns] = tokens;
      if (host === '---') fail(line, 'invalid host "---"', 'this looks like a YAML file; give it a .yml extension');
      if (host.endsWith(':')) fail(line, `invalid host "${host}": ending in ":" is not allowed`, 'write host:PORT');
      const vars: Record<string, unknown> = {};
      const base = [group, 'hosts', host];
      for (const a of assigns) {
        const eq = a.indexOf('=');
        if (eq < 0) fail(line, `expected key=value host variable, got "${a}"`);
        vars[a.slice(0, eq)] = iniValue(a.slice(eq + 1));
        locs.set([...base, a.slice(0, eq)].join('\0'), at(line, Math.max(1, raw.indexOf(a.slice(0, eq)) + 1)));
      }
      const node = groupNode(group, line);
      // The same host twice in one group: later variables win, as in Ansible.
      node.hosts[host] = { ...(node.hosts[host] ?? {}), ...vars };
      locs.set(base.join('\0'), at(line, raw.indexOf(host) + 1));
    }
  });
  for (const [name, p] of pending) {
    if (!defined.has(name)) {
      throw new InputError(`${p.how} names group "${name}", which is never defined (read as an INI inventory)`, at(p.line), `add a [${name}] section (it may be empty)`);
    }
  }
  const value: Record<string, unknown> = {};
  for (const [name, g] of Object.entries(tree)) {
    const out: Record<string, unknown> = {};
    if (Object.keys(g.hosts).length) out.hosts = g.hosts;
    if (Object.keys(g.vars).length) out.vars = g.vars;
    if (Object.keys(g.children).length) out.children = g.children;
    value[name] = Object.keys(out).length ? out : null;
  }
  const find = (path: ReadonlyArray<string | number>): SourceLoc => {
    for (let n = path.length; n > 0; n--) {
      const l = locs.get(path.slice(0, n).map(String).join('\0'));
      if (l) return l;
    }
    return at(1);
  };
  return { file, value, locOf: find, keyLocOf: find };
}

/** Python's shlex.split(line, comments=True) in POSIX mode: quotes, backslashes, # comments. */
export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else if (ch === '#') {
      break;
    } else if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('no closing quotation');
      cur += s.slice(i + 1, end);
      i = end;
      inToken = true;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && (s[j + 1] === '"' || s[j + 1] === '\\')) j++;
        cur += s[j];
      }
      if (j >= s.length) throw new Error('no closing quotation');
      i = j;
      inToken = true;
    } else if (ch === '\\') {
      if (i + 1 >= s.length) throw new Error('no escaped character');
      cur += s[++i];
      inToken = true;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}
