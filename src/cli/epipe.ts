/**
 * A closed pipe (`chom-play ... | head -1`) ends the process quietly: no stack trace. The exit
 * code is the one the command already set (0 when it had not finished: the reader wanted no
 * more). Installed for every command, before anything is written.
 */
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw err;
    });
  }
}
