/** One open connection to one host, kept for the whole run. */
export interface Connection {
  readonly host: string;
  /**
   * Sends `script` on the stdin of `bash -s` (under `sudo -n` when become is asked and the
   * login user is not root) and streams its stdout back as it comes.
   */
  runScript(script: string, opts: RunOptions): Promise<RunResult>;
  /**
   * Puts a local file at `remote` (its directory created 0700), atomically (temporary name, then
   * rename). Skipped when a file of the same size is already there: remote paths are named by
   * the content's sha256, which the script verifies before use. Aborting `signal` ends the
   * transfer at once (rejects); the partial file `REMOTE.part-PID-*` is then the caller's to remove.
   */
  upload(local: string, remote: string, size: number, signal?: AbortSignal): Promise<'uploaded' | 'present'>;
  close(): void;
}

export interface RunOptions {
  become: boolean;
  onStdout: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface RunResult {
  /** Exit status of bash; null when it died from a signal or the connection dropped. */
  code: number | null;
  signal?: string;
  /** The last 64 KiB of stderr (the script's own errors; task output never goes there). */
  stderr: string;
}

/** Glob (for bash, after quoting the prefix) of the partial files an upload by this process leaves. */
export function partialPrefix(remote: string): string {
  return `${remote}.part-${process.pid}-`;
}

/** Keep only the tail of a growing output. */
export class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly max = 64 * 1024) {}
  push(b: Buffer): void {
    this.chunks.push(b);
    this.size += b.length;
    while (this.size - this.chunks[0].length > this.max) this.size -= this.chunks.shift()!.length;
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

/** The command line that runs a script read from stdin, as root when asked. */
export function bashCommand(become: boolean, isRoot: boolean): string {
  return become && !isRoot ? 'sudo -n -- bash -s' : 'bash -s';
}
