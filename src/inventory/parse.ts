import { InputError, type SourceLoc } from '../errors.js';
import { checkHostName } from './hostname.js';
import type { YamlFile } from '../yaml/read.js';
import { expandHostRange } from './hostrange.js';
import type { Vars } from './model.js';

/** A group as declared in the inventory file (one group may be declared in several places). */
export interface RawGroup {
  name: string;
  loc: SourceLoc;
  children: string[];
  parents: string[];
  /** Hosts listed directly under this group's `hosts:`, in declaration order. */
  hosts: string[];
  vars: Vars;
  varLocs: Record<string, SourceLoc>;
}

/** A host as declared: vars of all its declarations merged, later declarations win. */
export interface RawHost {
  name: string;
  loc: SourceLoc;
  yamlPath?: string[];
  vars: Vars;
  varLocs: Record<string, SourceLoc>;
}

export interface ParsedInventory {
  groups: Map<string, RawGroup>;
  hosts: Map<string, RawHost>;
}

interface GroupNode {
  hosts?: Record<string, Vars | null> | null;
  children?: Record<string, GroupNode | null> | null;
  vars?: Vars | null;
}

// Characters that have a meaning in host patterns (`:` `,` `!` `&` `~`, globs) would make a
// group impossible to select, so they are refused in group names.
const BAD_GROUP_CHARS = /[\s:,!&*?[\]~]/;
const BAD_HOST_CHARS = /[\s,!&*?[\]]/;
// `host:port` or `www[01:03]:port` (a colon inside a range does not count).
const HOST_WITH_PORT = /^((?:[^:[]|\[[^\]]*\])+):(\d+)$/;

/** Walks a shape-checked inventory file (see schema.ts) into groups and hosts. */
export function parseInventoryTree(y: YamlFile, out: ParsedInventory = { groups: new Map(), hosts: new Map() }): ParsedInventory {
  const top = (y.value ?? {}) as Record<string, GroupNode | null>;
  for (const [name, node] of Object.entries(top)) walkGroup(y, out, name, node, [name], undefined);
  return out;
}

function walkGroup(y: YamlFile, out: ParsedInventory, name: string, node: GroupNode | null, path: string[], parent: RawGroup | undefined): void {
  const loc = y.keyLocOf(path);
  checkName('group', name, BAD_GROUP_CHARS, loc);
  if (parent && name === 'all') {
    throw new InputError(`group "all" cannot be a child of group "${parent.name}"`, loc, 'every group is already inside "all"; declare `all:` only at the top level');
  }
  let group = out.groups.get(name);
  if (!group) {
    group = { name, loc, children: [], parents: [], hosts: [], vars: {}, varLocs: {} };
    out.groups.set(name, group);
  }
  if (parent) {
    if (!parent.children.includes(name)) parent.children.push(name);
    if (!group.parents.includes(parent.name)) group.parents.push(parent.name);
  }
  if (!node) return;
  for (const [k, v] of Object.entries(node.vars ?? {})) {
    group.vars[k] = v;
    group.varLocs[k] = y.keyLocOf([...path, 'vars', k]);
  }
  for (const [key, hostVars] of Object.entries(node.hosts ?? {})) {
    addHosts(y, out, group, key, hostVars ?? {}, [...path, 'hosts', key]);
  }
  for (const [child, childNode] of Object.entries(node.children ?? {})) {
    walkGroup(y, out, child, childNode, [...path, 'children', child], group);
  }
}

function addHosts(y: YamlFile, out: ParsedInventory, group: RawGroup, key: string, vars: Vars, path: string[]): void {
  const loc = y.keyLocOf(path);
  let pattern = key;
  const declared: Vars = { ...vars };
  const locs: Record<string, SourceLoc> = {};
  for (const k of Object.keys(vars)) locs[k] = y.keyLocOf([...path, k]);
  const withPort = HOST_WITH_PORT.exec(key);
  if (withPort) {
    // Ansible reads `db1:2222` as host db1 with ansible_port 2222 (explicit vars still win).
    pattern = withPort[1];
    if (!('ansible_port' in declared)) {
      declared.ansible_port = Number(withPort[2]);
      locs.ansible_port = loc;
    }
  }
  let names: string[];
  try {
    names = expandHostRange(pattern) ?? [pattern];
  } catch (err) {
    throw new InputError(`host "${key}": ${(err as Error).message}`, loc, 'write a range as [01:10] (numbers) or [a:f] (letters)');
  }
  const fromRange = names.length !== 1 || names[0] !== pattern;
  for (const name of names) {
    checkName('host', name, BAD_HOST_CHARS, loc);
    checkHostName(name, loc);
    let host = out.hosts.get(name);
    if (!host) {
      host = { name, loc, yamlPath: fromRange ? undefined : path, vars: {}, varLocs: {} };
      out.hosts.set(name, host);
    }
    Object.assign(host.vars, declared);
    Object.assign(host.varLocs, locs);
    if (!group.hosts.includes(name)) group.hosts.push(name);
  }
}

function checkName(what: 'group' | 'host', name: string, bad: RegExp, loc: SourceLoc): void {
  const m = bad.exec(name);
  if (name.trim() === '' || m || (what === 'host' && name.startsWith('~'))) {
    const ch = m ? (/\s/.test(m[0]) ? 'a space' : `"${m[0]}"`) : name === '' ? 'nothing' : '"~"';
    const why = what === 'group' ? 'spaces and the pattern characters : , ! & ~ * ? [ ] are not allowed' : 'spaces and the pattern characters , ! & * ? are not allowed (use [a:b] only for ranges)';
    throw new InputError(`invalid ${what} name "${name}": contains ${ch}`, loc, `${why}; use letters, digits, "-", "_" and "."`);
  }
}
