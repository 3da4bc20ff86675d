/**
 * Contract of the lab (disposable real test hosts), used by `chom-play lab`, the e2e tests
 * and the benchmark. Implementation: the other files in src/lab/.
 */
export interface LabHost {
  /** Inventory name of the host, e.g. "t1-1". Also its hostname. */
  name: string;
  /** Its address in 198.18.0.0/15, reachable from this machine. */
  address: string;
  port: number;
  /** Network namespace name (ip netns). */
  netns: string;
  /** Path of the host's root filesystem on this machine (the overlay mount). */
  root: string;
}

export interface Lab {
  name: string;
  systemd: boolean;
  hosts: LabHost[];
  /** Directory with hosts.yml and known_hosts, usable as `-i`. */
  inventoryDir: string;
  /** Private key accepted by root on every host. */
  keyFile: string;
  knownHostsFile: string;
}

export interface LabUpOptions {
  name: string;
  hosts: number;
  systemd?: boolean;
  /** Where to write the inventory; default <cwd>/inventory/lab-NAME. */
  inventoryDir?: string;
  /** Progress lines (building the rootfs takes ~35 s the first time). */
  log?: (line: string) => void;
}
