import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { userInfo } from 'node:os';
import { partialPrefix, Tail, type Connection, type RunOptions, type RunResult } from './types.js';
import { becomeCommand, becomeStdin } from './become.js';

/** `ansible_connection: local`: the script runs on this machine, same protocol, no SSH. */
export class LocalConnection implements Connection {
  constructor(readonly host: string) {}

  runScript(script: string, opts: RunOptions): Promise<RunResult> {
    // The same fixed command text as over SSH, run as sshd would (bash -c; a lone command is exec'd, no extra process); with -K it reads the password from stdin's first line.
    const cmd = becomeCommand(opts.become, userInfo().uid === 0);
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
      const stderr = new Tail();
      child.stdout.on('data', (b: Buffer) => opts.onStdout(b));
      child.stderr.on('data', (b: Buffer) => {
        stderr.push(b);
        opts.onStderr?.(b);
      });
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal: signal ?? undefined, stderr: stderr.toString() }));
      child.stdin.on('error', () => {}); // bash may exit before reading everything
      child.stdin.end(becomeStdin(cmd, script));
    });
  }

  async upload(local: string, remote: string, size: number): Promise<'uploaded' | 'present'> {
    try {
      if (statSync(remote).size === size) return 'present';
    } catch {
      // not there yet
    }
    mkdirSync(dirname(remote), { recursive: true, mode: 0o700 });
    const tmp = `${partialPrefix(remote)}${Date.now()}`;
    copyFileSync(local, tmp);
    renameSync(tmp, remote);
    return 'uploaded';
  }

  close(): void {}
}
