import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import { Client, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { HostError } from '../errors.js';
import type { ConnectionSpec } from '../inventory/model.js';
import { keysFor, remember, verdict, keyType, hostToken } from './known-hosts.js';
import { partialPrefix, Tail, type Connection, type RunOptions, type RunResult } from './types.js';
import { becomeCommand, becomeStdin } from './become.js';
import { viaJump } from './jump.js';

export interface SshOptions {
  /** Trust and record keys of hosts that are not in known_hosts yet (never a changed key). */
  acceptNewHostKeys?: boolean;
}

/** Host key algorithms to offer, in the order the known_hosts types suggest. */
function hostKeyAlgorithms(types: string[]): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t === 'ssh-rsa') out.push('rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa');
    else out.push(t);
  }
  return [...new Set(out)];
}

/** Opens one SSH connection; key auth (agent or key file), host key checked against known_hosts. */
export function connectSsh(spec: ConnectionSpec, opts: SshOptions = {}): Promise<Connection> {
  const knownFile = spec.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
  const known = keysFor(knownFile, spec.address, spec.port);
  let keyProblem: string | undefined;
  const cfg: ConnectConfig = {
    host: spec.address,
    port: spec.port,
    username: spec.user,
    readyTimeout: spec.connectTimeoutMs,
    // A silently dropped network is noticed within ~30 s, as the host notices the missing heartbeat.
    keepaliveInterval: 5_000,
    keepaliveCountMax: 6,
    hostVerifier: (key: Buffer) => {
      const v = verdict(key, known);
      if (v === 'match') return true;
      if (v === 'unknown' && opts.acceptNewHostKeys) {
        remember(knownFile, spec.address, spec.port, key);
        return true;
      }
      keyProblem =
        v === 'unknown'
          ? `host key of ${hostToken(spec.address, spec.port)} is not in ${knownFile}; add it (ssh-keyscan, after checking its fingerprint) or pass --accept-new-host-keys to trust it on first use`
          : v === 'revoked'
            ? `host key of ${hostToken(spec.address, spec.port)} is marked @revoked in ${knownFile}`
            : `host key of ${hostToken(spec.address, spec.port)} has CHANGED (presented ${keyType(key)}, ${knownFile} holds another): refusing, it may be an attack; if the host was reinstalled, remove the old line from ${knownFile}`;
      return false;
    },
  };
  if (known.keys.length > 0) cfg.algorithms = { serverHostKey: hostKeyAlgorithms(known.keys.map((k) => k.type)) as never };
  if (spec.privateKeyFile) {
    try {
      cfg.privateKey = readFileSync(spec.privateKeyFile);
    } catch (err) {
      return Promise.reject(
        new HostError(spec.host, `cannot read private key ${spec.privateKeyFile}: ${(err as Error).message}`, 'unreachable'),
      );
    }
  }
  if (process.env.SSH_AUTH_SOCK) cfg.agent = process.env.SSH_AUTH_SOCK;
  if (spec.password) cfg.password = spec.password;

  return viaJump(spec, cfg, Boolean(opts.acceptNewHostKeys), knownFile).then(
    () =>
      new Promise<Connection>((resolve, reject) => {
        const client = new Client();
        let settled = false;
        client.once('ready', () => {
          settled = true;
          resolve(new SshConnection(spec, client));
        });
        client.once('error', (err: Error & { level?: string }) => {
          if (settled) return;
          settled = true;
          const why = keyProblem ?? describeConnectError(err, spec);
          reject(new HostError(spec.host, why, 'unreachable'));
        });
        client.connect(cfg);
      }),
  );
}

function describeConnectError(err: Error & { code?: string; level?: string }, spec: ConnectionSpec): string {
  const where = `${spec.user}@${spec.address}:${spec.port}`;
  if (err.level === 'client-authentication')
    return `authentication failed for ${where}: check ansible_user and the key (ansible_ssh_private_key_file or ssh-agent)`;
  if (err.level === 'client-timeout') return `timed out after ${spec.connectTimeoutMs / 1000}s connecting to ${where}`;
  if (err.code === 'ECONNREFUSED') return `connection refused by ${where}: is sshd running on that port?`;
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return `no route to ${where}`;
  if (err.code === 'ENOTFOUND') return `cannot resolve ${spec.address}`;
  return `cannot connect to ${where}: ${err.message}`;
}

class SshConnection implements Connection {
  readonly host: string;
  constructor(
    private readonly spec: ConnectionSpec,
    private readonly client: Client,
  ) {
    this.host = spec.host;
  }

  runScript(script: string, opts: RunOptions): Promise<RunResult> {
    const cmd = becomeCommand(opts.become, this.spec.user === 'root');
    return new Promise((resolve, reject) => {
      this.client.exec(cmd, (err, stream) => {
        if (err) return reject(new HostError(this.host, `cannot start bash: ${err.message}`, 'unreachable'));
        const stderr = new Tail();
        let done = false;
        const finish = (code: number | null, signal?: string) => {
          if (done) return;
          done = true;
          resolve({ code, signal, stderr: stderr.toString() });
        };
        stream.on('data', (b: Buffer) => opts.onStdout(b));
        stream.stderr.on('data', (b: Buffer) => {
          stderr.push(b);
          opts.onStderr?.(b);
        });
        stream.on('exit', (code: number | null, signal?: string) => {
          if (code === null) finish(null, signal ?? 'connection lost');
        });
        stream.on('close', (code: number | null, signal?: string) => finish(code ?? null, signal));
        this.client.once('close', () => finish(null, 'connection lost'));
        stream.end(becomeStdin(cmd, script));
      });
    });
  }

  /** Over SFTP on this same connection (ssh2's own SFTP client: no second login). */
  upload(local: string, remote: string, size: number, signal?: AbortSignal): Promise<'uploaded' | 'present'> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Error(`upload of ${local} to ${this.host} aborted`));
      this.client.sftp((err, sftp) => {
        if (err) return reject(new Error(`SFTP is not available on ${this.host}: ${err.message}`));
        let settled = false;
        const onAbort = () => done(new Error('aborted (interrupted)'));
        const done = (e: Error | null | undefined, r?: 'uploaded' | 'present') => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          sftp.end();
          if (e) reject(new Error(`upload of ${local} to ${this.host}:${remote} failed: ${e.message}`));
          else resolve(r!);
        };
        // A second Ctrl-C must not wait for a 300 MB transfer: closing the SFTP channel ends it.
        signal?.addEventListener('abort', onAbort, { once: true });
        sftp.stat(remote, (statErr, st) => {
          if (!statErr && st.size === size) return done(null, 'present');
          mkdirs(sftp, posix.dirname(remote), (mkErr) => {
            if (mkErr) return done(mkErr);
            const tmp = `${partialPrefix(remote)}${Date.now()}`;
            sftp.fastPut(local, tmp, { mode: 0o600 }, (putErr) => {
              if (putErr) return done(putErr);
              sftp.rename(tmp, remote, (mvErr) => {
                if (!mvErr) return done(null, 'uploaded');
                // another run staged it meanwhile: fine if it is there now
                sftp.stat(remote, (e2, st2) => (!e2 && st2.size === size ? sftp.unlink(tmp, () => done(null, 'present')) : done(mvErr)));
              });
            });
          });
        });
      });
    });
  }

  /**
   * Polite end first; a peer that no longer answers (dropped packets) would keep the socket,
   * and with it the process, alive: destroy it after a second.
   */
  close(): void {
    this.client.end();
    setTimeout(() => this.client.destroy(), 1000).unref();
  }
}

/** mkdir -p over SFTP, new directories 0700 (staged files may hold secrets). */
function mkdirs(sftp: SFTPWrapper, dir: string, cb: (err?: Error) => void): void {
  sftp.stat(dir, (err) => {
    if (!err) return cb();
    const parent = posix.dirname(dir);
    const make = () => sftp.mkdir(dir, { mode: 0o700 }, (e) => (e ? sftp.stat(dir, (e2) => cb(e2 ? e : undefined)) : cb()));
    if (parent === dir) return make();
    mkdirs(sftp, parent, (pe) => (pe ? cb(pe) : make()));
  });
}
