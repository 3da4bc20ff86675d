import { InputError, suggest, type SourceLoc } from '../errors.js';
import type { GroupEntry, HostEntry, Inventory, Vars } from './model.js';
import { parseInventoryTree, type ParsedInventory, type RawGroup } from './parse.js';
import { checkInventoryShape } from './schema.js';
import { readVarsFor as readVarsIn, varsEntriesIn } from './varsfiles.js';
import { readSources } from './sources.js';
import { applyConnectionDefaults } from './defaults.js';

/**
 * Reads an Ansible YAML inventory: a directory (hosts.yml or hosts.yaml, group_vars/,
 * host_vars/) or a single YAML file (group_vars/ and host_vars/ next to it are read too).
 * Each host's vars are merged once here, low to high:
 *   group all (inline, then group_vars/all*) < parent groups < child groups (deeper wins; same
 *   depth: ansible_group_priority, then name) < host inline vars < host_vars/HOST*.
 * Every merge replaces whole top-level values (Ansible's hash_behaviour=replace).
 */
export function loadInventory(path: string | string[], cwd = process.cwd()): Inventory {
  const warnings: string[] = [];
  const sources = readSources(Array.isArray(path) ? path : [path], cwd, warnings);
  // Fact write-back edits one YAML file: the first YAML source. Hosts of other sources have no
  // path in it (their yamlPath is dropped), so nothing is written into an INI file by mistake.
  const primary = sources.find((s) => s.format === 'yaml') ?? sources[0];
  const file = primary.file;
  const dir = primary.dir;
  const parsed: ParsedInventory = { groups: new Map(), hosts: new Map() };
  for (const s of sources) {
    if (s.format === 'yaml') checkInventoryShape(s.y);
    const before = new Set(parsed.hosts.keys());
    parseInventoryTree(s.y, parsed);
    if (s !== primary || s.format !== 'yaml') for (const [name, h] of parsed.hosts) if (!before.has(name)) delete h.yamlPath;
  }
  reconcile(parsed, file);
  const depth = depths(parsed);
  // group_vars/ and host_vars/ beside each source, once per directory, in source order.
  const dirs = [...new Set(sources.map((s) => s.dir))];
  const readVarsFor = (_d: string, kind: 'group_vars' | 'host_vars', name: string) => dirs.flatMap((x) => readVarsIn(x, kind, name));
  const groups = new Map<string, GroupEntry>();
  const groupLocs = new Map<string, Record<string, SourceLoc>>();
  for (const g of parsed.groups.values()) {
    const vars: Vars = { ...g.vars };
    const locs = { ...g.varLocs };
    const layers = readVarsFor(dir, 'group_vars', g.name);
    for (const l of layers) {
      Object.assign(vars, l.vars);
      Object.assign(locs, l.locs);
    }
    groups.set(g.name, { name: g.name, hosts: [], children: [...g.children], vars, depth: depth.get(g.name) ?? 0, varsFiles: layers.map((l) => l.file) });
    groupLocs.set(g.name, locs);
  }

  const hosts = new Map<string, HostEntry>();
  for (const h of parsed.hosts.values()) {
    const memberOf = sortGroups(ancestorsOf(parsed, h.name), parsed, depth);
    const vars: Vars = {};
    const varLocs: Record<string, SourceLoc> = {};
    for (const g of memberOf) {
      Object.assign(vars, groups.get(g)!.vars);
      Object.assign(varLocs, groupLocs.get(g));
      groups.get(g)!.hosts.push(h.name);
    }
    Object.assign(vars, h.vars);
    Object.assign(varLocs, h.varLocs);
    const layers = readVarsFor(dir, 'host_vars', h.name);
    for (const l of layers) {
      Object.assign(vars, l.vars);
      Object.assign(varLocs, l.locs);
    }
    hosts.set(h.name, { name: h.name, groups: memberOf, vars, loc: h.loc, yamlPath: h.yamlPath, varsFiles: layers.map((l) => l.file), varLocs });
  }

  for (const d of dirs) warnings.push(...strayVarsFiles(d, 'group_vars', [...groups.keys()]), ...strayVarsFiles(d, 'host_vars', [...hosts.keys()]));
  for (const name of parsed.groups.keys()) {
    if (parsed.hosts.has(name)) warnings.push(`${file}: "${name}" is both a group and a host; patterns naming it select the group`);
  }
  // `path` is where fact write-back looks: the directory of a non-YAML file (specs then go to
  // host_vars/HOST.yml, which Ansible reads too), the -i text of a host list (nothing to write).
  const invPath = primary.format === 'yaml' && sources.length === 1 && !Array.isArray(path) && !path.includes('\n') ? path : primary.format === 'host list' ? primary.file : dir;
  const inv: Inventory = { path: invPath, dir, file, hosts, groups, warnings };
  applyConnectionDefaults(inv);
  return inv;
}

/** host_vars files read for a host (empty when none, or the host is unknown). */
export function hostVarsFiles(inv: Inventory, host: string): string[] {
  return [...(inv.hosts.get(host)?.varsFiles ?? [])];
}

/** Ansible's rules: `all` holds every top-level group, hosts in no group sit in `ungrouped`. */
function reconcile(p: ParsedInventory, file: string): void {
  const ensure = (name: string): RawGroup => {
    let g = p.groups.get(name);
    if (!g) {
      g = { name, loc: { file, line: 1, col: 1 }, children: [], parents: [], hosts: [], vars: {}, varLocs: {} };
      p.groups.set(name, g);
    }
    return g;
  };
  const all = ensure('all');
  const ungrouped = ensure('ungrouped');
  for (const g of p.groups.values()) {
    if (g.name !== 'all' && g.parents.length === 0) {
      g.parents.push('all');
      all.children.push(g.name);
    }
  }
  const inOtherGroup = new Set<string>();
  for (const g of p.groups.values()) {
    if (g.name === 'all' || g.name === 'ungrouped') continue;
    for (const h of g.hosts) inOtherGroup.add(h);
  }
  ungrouped.hosts = ungrouped.hosts.filter((h) => !inOtherGroup.has(h));
  for (const h of p.hosts.keys()) {
    if (!inOtherGroup.has(h) && !ungrouped.hosts.includes(h)) ungrouped.hosts.push(h);
  }
}

/** Depth of each group below `all` (longest path), refusing cycles. */
function depths(p: ParsedInventory): Map<string, number> {
  const out = new Map<string, number>();
  const visiting: string[] = [];
  const visit = (name: string): number => {
    const known = out.get(name);
    if (known !== undefined) return known;
    if (visiting.includes(name)) {
      const cycle = [...visiting.slice(visiting.indexOf(name)), name].join(' -> ');
      throw new InputError(`groups form a loop: ${cycle}`, p.groups.get(name)!.loc, 'a group cannot be (indirectly) its own child; remove one of the children entries');
    }
    visiting.push(name);
    const g = p.groups.get(name)!;
    const d = name === 'all' ? 0 : Math.max(0, ...g.parents.map((pa) => visit(pa) + 1));
    visiting.pop();
    out.set(name, d);
    return d;
  };
  for (const name of p.groups.keys()) visit(name);
  return out;
}

function ancestorsOf(p: ParsedInventory, host: string): string[] {
  const found = new Set<string>();
  const up = (g: string): void => {
    if (found.has(g)) return;
    found.add(g);
    for (const parent of p.groups.get(g)!.parents) up(parent);
  };
  for (const g of p.groups.values()) if (g.hosts.includes(host)) up(g.name);
  up('all');
  return [...found];
}

/** Ansible's order for applying group vars: (depth, ansible_group_priority, name). */
function sortGroups(names: string[], p: ParsedInventory, depth: Map<string, number>): string[] {
  const priority = (g: string): number => {
    const v = Number(p.groups.get(g)!.vars.ansible_group_priority ?? 1);
    return Number.isFinite(v) ? v : 1;
  };
  return [...names].sort((a, b) => depth.get(a)! - depth.get(b)! || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function strayVarsFiles(dir: string, kind: 'group_vars' | 'host_vars', known: string[]): string[] {
  const what = kind === 'group_vars' ? 'group' : 'host';
  return varsEntriesIn(dir, kind)
    .filter((e) => !known.includes(e.name))
    .map((e) => {
      const guess = suggest(e.name, known);
      return `${e.path}: no ${what} "${e.name}" in the inventory, its variables are not used${guess ? `; did you mean "${guess}"?` : ''}`;
    });
}
