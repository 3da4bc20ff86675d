import { InputError } from '../errors.js';
import type { Inventory, Vars } from './model.js';
import { sshArgsToVars } from './ssh-args.js';

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

const jumps = new Map<string, string>();

/** ProxyJump a host's own ansible_ssh_common_args / ansible_ssh_extra_args asked for. */
export function hostJump(host: string): string | undefined {
  return jumps.get(host);
}

/**
 * Gives every host each default it does not set itself (nor through its groups), and reads its
 * ansible_ssh_common_args / ansible_ssh_extra_args: options with an ssh2 meaning become its
 * connection variables, ProxyJump its jump host, others are an error (never silently dropped).
 */
export function applyConnectionDefaults(inv: Inventory): void {
  for (const h of inv.hosts.values()) {
    for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
      const args = h.vars[name];
      if (typeof args !== 'string' || args.trim() === '') continue;
      let r;
      try {
        r = sshArgsToVars(args, inv.dir);
      } catch (err) {
        const e = err as Error & { hint?: string };
        throw new InputError(`host "${h.name}": ${name}: ${e.message}`, h.varLocs?.[name], e.hint);
      }
      for (const [k, v] of Object.entries(r.vars)) if (!(k in h.vars)) h.vars[k] = v;
      if (r.jump !== undefined && r.jump !== 'none') jumps.set(h.name, r.jump);
    }
    for (const [k, v] of Object.entries(defaults)) {
      if (v !== undefined && !(k in h.vars)) h.vars[k] = v;
    }
  }
}
