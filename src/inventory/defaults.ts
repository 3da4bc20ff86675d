import type { Inventory, Vars } from './model.js';

/**
 * Connection settings from the command line (-u, --private-key, -b, -T, -k ...) and
 * ansible.cfg, as host variables of the lowest precedence: Ansible lets an inventory's
 * `ansible_user` (or any host/group variable) win over `-u`, and so do we.
 */
const defaults: Vars = {};

export function setConnectionDefaults(v: Vars): void {
  for (const k of Object.keys(defaults)) delete defaults[k];
  Object.assign(defaults, v);
}

export function connectionDefaults(): Vars {
  return { ...defaults };
}

/** Gives every host each default it does not set itself (nor through its groups). */
export function applyConnectionDefaults(inv: Inventory): void {
  for (const h of inv.hosts.values()) {
    for (const [k, v] of Object.entries(defaults)) {
      if (v !== undefined && !(k in h.vars)) h.vars[k] = v;
    }
  }
}
