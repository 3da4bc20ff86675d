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

/**
 * A wrong password is tried first on its own (`sudo -k`: always asks, caches nothing): fed the
 * script, sudo -S would take its next lines as two more attempts (3 tries, ~6 s) and the user
 * would only see "Sorry, try again.". Then the script runs with -k as well, so the first line
 * is always taken as the password whatever sudo cached.
 */
export const PASSWORD_REFUSED = 'chom-play: sudo refused the become password';

const WITH_PASSWORD =
  `bash -c 'IFS= read -r p; if sudo -n true 2>/dev/null; then unset p; exec sudo -n -- bash -s; fi; ` +
  `if ! e=$(printf "%s\\n" "$p" | sudo -k -S -p "" true 2>&1 >/dev/null); then unset p; ` +
  `case $e in *"incorrect password"*|*"Sorry, try again"*) echo "${PASSWORD_REFUSED}" >&2;; *) printf "%s\\n" "$e" >&2;; esac; exit 1; fi; ` +
  `{ printf "%s\\n" "$p"; unset p; exec cat; } | sudo -k -S -p "" -- bash -s'`;

/** The remote command for a script; with a become password it expects it as stdin's first line. */
export function becomeCommand(become: boolean, isRoot: boolean): string {
  if (become && !isRoot && becomePassword !== undefined) return WITH_PASSWORD;
  return bashCommand(become, isRoot);
}

/** What to write on stdin for `cmd` (from becomeCommand): the script, preceded by the password line when the command reads one. */
export function becomeStdin(cmd: string, script: string): string {
  return cmd === WITH_PASSWORD ? `${becomePassword ?? ''}\n${script}` : script;
}
