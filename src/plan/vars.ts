import { hostEntry as entryOf } from '../inventory/index.js';
import type { Inventory, Vars } from '../inventory/model.js';
import type { Play, RoleInstance } from '../playbook/model.js';
import { ansibleFactVars, ansibleFactsOf } from '../facts/names.js';

/**
 * Variable precedence, low to high (documented in the README):
 *   role defaults < inventory (group_vars all < parent groups < child groups < host vars < host_vars)
 *   < facts < play vars (vars_files on top) < role vars < task vars < role params < -e extra vars.
 * Magic variables (inventory_hostname, group_names, groups, hostvars, play_hosts, facts, env)
 * are set last and cannot be overridden by accident.
 */
export interface VarsInputs {
  inventory: Inventory;
  host: string;
  play: Play;
  playHosts: string[];
  facts: Vars | undefined;
  extraVars: Vars;
  env: Record<string, string>;
}

/** Magic variables that are the same for every host of a play: computed once per play. */
export interface SharedMagic {
  groups: Record<string, string[]>;
  hostvars: Record<string, Vars>;
}

export function sharedMagic(inv: Inventory, facts: Map<string, Vars>): SharedMagic {
  const groups: Record<string, string[]> = {};
  for (const g of inv.groups.values()) groups[g.name] = [...g.hosts];
  groups.all ??= [...inv.hosts.keys()];
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.values()) {
    const f = facts.get(h.name);
    hostvars[h.name] = {
      ...h.vars,
      ...ansibleFactVars(f),
      inventory_hostname: h.name,
      group_names: groupNames(h.groups),
      facts: f ?? {},
      ansible_facts: ansibleFactsOf(f),
    };
  }
  return { groups, hostvars };
}

function groupNames(groups: string[]): string[] {
  return groups.filter((g) => g !== 'all' && g !== 'ungrouped').sort();
}

/** The variables a task of `role` (or of the play itself when undefined) sees on one host. */
export function scopeFor(
  inp: VarsInputs,
  shared: SharedMagic,
  role: RoleInstance | undefined,
  taskVars: Vars = {},
  hostVars: Vars = {},
): Vars {
  const { play } = inp;
  const hostEntry = entryOf(inp.inventory, inp.host);
  const defaults: Vars = {};
  const roleVars: Vars = {};
  for (const r of play.roles) if (r !== role) Object.assign(defaults, r.defaults);
  if (role) Object.assign(defaults, role.defaults);
  for (const r of play.roles) if (r !== role) Object.assign(roleVars, r.vars);
  if (role) Object.assign(roleVars, role.vars);
  const facts = inp.facts ?? {};
  return {
    ...defaults,
    ...(hostEntry?.vars ?? {}),
    ...ansibleFactVars(facts),
    ...play.vars,
    ...roleVars,
    ...taskVars,
    ...hostVars, // include_vars < set_fact (src/plan/set-fact.ts), above task vars as in Ansible
    ...(role?.params ?? {}),
    ...inp.extraVars,
    facts,
    ansible_facts: ansibleFactsOf(facts),
    inventory_hostname: inp.host,
    inventory_hostname_short: inp.host.split('.')[0],
    group_names: groupNames(hostEntry?.groups ?? []),
    groups: shared.groups,
    hostvars: shared.hostvars,
    play_hosts: inp.playHosts,
    ansible_play_hosts: inp.playHosts,
    env: inp.env,
  };
}
