import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { keysFor, remember, verdict, hostToken } from './known-hosts.js';
import { HostError } from '../errors.js';
import type { ConnectionSpec } from '../inventory/model.js';
import { hostJump } from '../inventory/defaults.js';

/**
 * A jump host (ProxyJump, from --ssh-common-args / ssh_args): the connection to each target is
 * a TCP channel opened through one SSH login to the jump host (ssh2's forwardOut), the same
 * thing `ssh -J` does. Host keys of the jump host are checked against the same known_hosts.
 */
export interface JumpHost {
  user?: string;
  host: string;
  port: number;
}

let jump: JumpHost | undefined;

export function setJumpHost(j: JumpHost | undefined): void {
  jump = j;
}

export function jumpHost(): JumpHost | undefined {
  return jump;
}

/** `[user@]host[:port]` as ssh's ProxyJump takes it (one hop). */
export function parseJump(text: string): JumpHost {
  if (text.includes(',')) throw new Error('only one jump host is supported (no comma lists)');
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`cannot read jump host "${text}" (expected [user@]host[:port])`);
  return { user: m[1], host: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 22 };
}

/**
 * Opens the channel to target:port through the jump host; resolves to the stream ssh2 uses as
 * its socket (cfg.sock) and closes the jump login when that stream ends.
 */
export function openThroughJump(
  j: JumpHost,
  target: {
    address: string;
    port: number;
    user: string;
    privateKeyFile?: string;
    knownHostsFile: string;
    connectTimeoutMs: number;
    acceptNew: boolean;
  },
): Promise<Duplex> {
  const known = keysFor(target.knownHostsFile, j.host, j.port);
  let problem: string | undefined;
  const cfg: ConnectConfig = {
    host: j.host,
    port: j.port,
    username: j.user ?? target.user,
    readyTimeout: target.connectTimeoutMs,
    hostVerifier: (key: Buffer) => {
      const v = verdict(key, known);
      if (v === 'match') return true;
      if (v === 'unknown' && target.acceptNew) {
        remember(target.knownHostsFile, j.host, j.port, key);
        return true;
      }
      problem = `jump host key of ${hostToken(j.host, j.port)} is ${v === 'unknown' ? `not in ${target.knownHostsFile}` : `${v} in ${target.knownHostsFile}`}`;
      return false;
    },
  };
  if (target.privateKeyFile) cfg.privateKey = readFileSync(target.privateKeyFile);
  if (process.env.SSH_AUTH_SOCK) cfg.agent = process.env.SSH_AUTH_SOCK;
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => {
      client.forwardOut('127.0.0.1', 0, target.address, target.port, (err, stream) => {
        if (err) {
          client.end();
          return reject(new Error(`jump host ${j.host} cannot reach ${target.address}:${target.port}: ${err.message}`));
        }
        stream.once('close', () => client.end());
        resolve(stream);
      });
    });
    client.once('error', (err: Error) => reject(new Error(problem ?? `cannot connect to jump host ${j.host}:${j.port}: ${err.message}`)));
    client.connect(cfg);
  });
}

/** Sets cfg.sock to a channel through the jump host, when one is configured. */
export async function viaJump(spec: ConnectionSpec, cfg: ConnectConfig, acceptNew: boolean, knownHostsFile: string): Promise<void> {
  const own = hostJump(spec.host);
  if ((!own && !jump) || spec.connection === 'local') return;
  try {
    const j = own ? parseJump(own) : jump!;
    cfg.sock = await openThroughJump(j, {
      address: spec.address,
      port: spec.port,
      user: spec.user,
      privateKeyFile: spec.privateKeyFile,
      knownHostsFile,
      connectTimeoutMs: spec.connectTimeoutMs,
      acceptNew,
    });
  } catch (err) {
    throw new HostError(spec.host, (err as Error).message, 'unreachable');
  }
}
