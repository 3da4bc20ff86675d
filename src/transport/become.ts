import { bashCommand } from './types.js';

/**
 * -K / --ask-become-pass: the sudo password travels on the script's stdin, never in a
 * command line, an environment variable, the script text or a record.
 *
 * The remote command (fixed text) reads the first stdin line into a shell variable with the
 * `read` builtin. When sudo needs no password (NOPASSWD, a root login) the line is dropped and
 * the script runs under `sudo -n`; otherwise the builtin `printf` feeds the password, then the
 * rest of stdin (the script) through one pipe into `sudo -S`, which reads exactly the first line
 * (it reads its password byte by byte) and leaves the script to `bash -s`.
 */
let becomePassword: string | undefined;

export function setBecomePassword(pw: string | undefined): void {
  becomePassword = pw;
}

export function hasBecomePassword(): boolean {
  return becomePassword !== undefined;
}

const WITH_PASSWORD =
  `bash -c 'IFS= read -r p; if sudo -n true 2>/dev/null; then unset p; exec sudo -n -- bash -s; fi; ` +
  `{ printf "%s\\n" "$p"; unset p; exec cat; } | sudo -S -p "" -- bash -s'`;

/** The remote command for a script; with a become password it expects it as stdin's first line. */
export function becomeCommand(become: boolean, isRoot: boolean): string {
  if (become && !isRoot && becomePassword !== undefined) return WITH_PASSWORD;
  return bashCommand(become, isRoot);
}

/** What to write on stdin for `cmd` (from becomeCommand): the script, preceded by the password line when the command reads one. */
export function becomeStdin(cmd: string, script: string): string {
  return cmd === WITH_PASSWORD ? `${becomePassword ?? ''}\n${script}` : script;
}
