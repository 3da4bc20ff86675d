import type { SourceLoc } from '../errors.js';

import type { Vars } from '../types.js';

export type { Vars } from '../types.js';

export interface HostEntry {
  name: string;
  /** Every group the host belongs to, including 'all' and ancestors of its groups. */
  groups: string[];
  /**
   * Inventory variables merged with Ansible's precedence (low to high):
   * group_vars of 'all' (inline + group_vars/all*) < parent groups < child groups (deeper wins,
   * then alphabetical) < host inline vars < host_vars/HOST*.
   */
  vars: Vars;
  /** Where the host was declared (for error messages and fact write-back). */
  loc: SourceLoc;
  /**
   * YAML path (keys) to the host's first entry in `Inventory.file`, e.g.
   * ['all', 'children', 'web', 'hosts', 'h1']. Undefined when the host came from a range
   * (`www[01:03]`) or is the implicit localhost: there is no entry of its own to write to.
   */
  yamlPath?: string[];
  /** host_vars files read for this host, in the order they were applied (later wins). */
  varsFiles?: string[];
  /** Where the winning value of each variable in `vars` was written (key position). */
  varLocs?: Record<string, SourceLoc>;
  /** True for Ansible's implicit localhost (named in a pattern, not declared). */
  implicit?: boolean;
}

export interface GroupEntry {
  name: string;
  /** Hosts directly in the group or in any descendant group. */
  hosts: string[];
  children: string[];
  vars: Vars;
  /** Distance from 'all' (all = 0, top-level groups = 1, deepest path wins). */
  depth?: number;
  /** group_vars files read for this group, in the order they were applied. */
  varsFiles?: string[];
}

export interface Inventory {
  /** The path the user gave (-i). */
  path: string;
  /** Directory holding hosts.yml (or the inventory file's directory). */
  dir: string;
  /** The inventory YAML file actually read (dir/hosts.yml or the file itself). */
  file: string;
  /** Host order = declaration order. */
  hosts: Map<string, HostEntry>;
  groups: Map<string, GroupEntry>;
  /** Harmless oddities found while loading (host_vars for an unknown host, ...). */
  warnings?: string[];
}

/** How to reach a host, from the Ansible connection variables. */
export interface ConnectionSpec {
  host: string;             // inventory name
  address: string;          // ansible_host or name
  port: number;             // ansible_port, default 22
  user: string;             // ansible_user, default current user
  connection: 'ssh' | 'local';
  privateKeyFile?: string;  // ansible_ssh_private_key_file (absolute)
  knownHostsFile?: string;  // chom_known_hosts_file (absolute), default ~/.ssh/known_hosts
  password?: string;        // ansible_password (secret)
  become: boolean;          // ansible_become
  connectTimeoutMs: number; // ansible_timeout (s) * 1000, default 10 s
}
