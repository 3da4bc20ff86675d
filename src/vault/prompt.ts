import { openSync, closeSync, readSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { InputError } from '../errors.js';

/**
 * Asks for a secret on the terminal without echo. Reads /dev/tty (not stdin), so a pipe into
 * chom-play stays usable; refuses when there is no terminal instead of hanging.
 */
export async function promptHidden(question: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new InputError(
      `cannot ask "${question.trim()}": no terminal`,
      undefined,
      'use a password file (--vault-password-file, --become-password-file) when running without a terminal',
    );
  }
  try {
    writeSync(fd, question);
    // stty on the tty itself: echo off while typing, restored even when reading fails.
    spawnSync('stty', ['-echo'], { stdio: [fd, 'ignore', 'ignore'] });
    try {
      return readLine(fd);
    } finally {
      spawnSync('stty', ['echo'], { stdio: [fd, 'ignore', 'ignore'] });
      writeSync(fd, '\n');
    }
  } finally {
    closeSync(fd);
  }
}

/** Asks one visible question on the terminal and returns the answer line (empty on EOF). */
export function promptLine(question: string): string {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new InputError(`cannot ask "${question.trim()}": no terminal`, undefined, 'run on a terminal, or leave the flag out');
  }
  try {
    writeSync(fd, question);
    return readLine(fd);
  } finally {
    closeSync(fd);
  }
}

/** One line from the terminal, byte by byte (a buffered read would swallow what follows). */
function readLine(fd: number): string {
  const buf = Buffer.alloc(1);
  const bytes: number[] = [];
  for (;;) {
    const n = readSync(fd, buf, 0, 1, null);
    if (n === 0 || buf[0] === 10 || buf[0] === 13) break;
    bytes.push(buf[0]);
  }
  return Buffer.from(bytes).toString('utf8');
}
