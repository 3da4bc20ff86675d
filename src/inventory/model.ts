import type { SourceLoc } from '../errors.js';

export type Vars = Record<string, unknown>;

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
}

export interface GroupEntry {
  name: string;
  /** Hosts directly in the group or in any descendant group. */
  hosts: string[];
  children: string[];
  vars: Vars;
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
