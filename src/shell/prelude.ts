/**
 * The bash runtime every generated script starts with. Its source is src/shell/prelude/NAME.sh
 * (linted by shellcheck; turned into strings at build time by scripts/prelude-text.mjs).
 * Module snippets call these functions; they run inside the task's subshell (set -euo pipefail,
 * stdin /dev/null, output captured).
 *
 * Reporting (a task is "changed" when chom_changed was called at least once, else "ok")
 *   chom_changed MSG...        record a change; messages accumulate ("; "-joined in the event)
 *   chom_ok MSG...             say why nothing had to change (noop description)
 *   chom_fail MSG...           print MSG to stderr, record it as the failure message, exit 1
 *   chom_rc N                  the exit code to report/register (default: the task's exit status)
 *   chom_check                 returns 0 in check mode (CHOM_CHECK=1)
 *   chom_has_changed           returns 0 when this task already called chom_changed
 *
 * Files, check-mode aware. In check mode nothing outside $CHOM_TMP (a scratch dir under /tmp,
 * removed on exit) changes: writes land in a scratch copy, removals become markers, and later
 * tasks of the same run read through chom_path, so their prediction is exact.
 *   chom_path P                path to READ for P (scratch copy, a non-existent path if an earlier
 *                              task removed it, else P). Use as "$(chom_path "$p")".
 *   chom_target P              path to WRITE for P (check mode: scratch copy pre-filled with P's
 *                              current content/attributes; otherwise P itself)
 *   chom_put_content DEST B64 MODE OWNER GROUP BACKUP [MSG]
 *                              install base64 content if its sha256 differs: atomic (temp file in
 *                              DEST's dir + mv), old file backed up first, diff recorded (--diff),
 *                              then MODE/OWNER/GROUP ("" = leave as is). New files get 0644, replaced
 *                              files keep their owner and mode. BACKUP=1 also keeps DEST.<time>~
 *                              beside it (Ansible's backup: yes). Reports changed, or ok when nothing
 *                              differs. MSG replaces the default "updated DEST"/"created DEST".
 *   chom_put_file DEST SRCFILE MODE OWNER GROUP BACKUP [MSG]   same with the content of a file
 *   chom_put_b64 DEST SHA256 B64 MODE OWNER GROUP BACKUP [MSG]   chom_put_content when the
 *                              controller knows the content's sha256: a file whose hash, read at
 *                              the start, matches is only checked for attributes (no process)
 *   chom_set_attrs P MODE OWNER GROUP [NOFOLLOW]   bring mode/owner/group in line; reports
 *                              "set P: mode 0644 -> 0600, ..."; sets CHOM_ATTRS_CHANGED=1|0.
 *                              MODE is octal or symbolic (u=rw,g=r,o=). CHOM_ATTRS_QUIET=1 silences.
 *                              In check mode an owner/group predicted by chom_state_get
 *                              "user:NAME"/"group:NAME" = present is accepted.
 *   chom_mode_apply CUR MODE ISDIR   prints the 4-digit octal mode MODE gives from octal CUR
 *   chom_mkdir P [MODE OWNER GROUP]   create P and missing parents (each journaled, reported)
 *   chom_remove P              back up then remove P (file, link or tree); reports changed.
 *                              Returns silently when P does not exist.
 *   chom_symlink SRC P [FORCE] make P a link to SRC (a file at P only replaced with FORCE=1,
 *                              a directory never); silent when already right
 *   chom_backup P              copy P (cp -a) to $CHOM_BACKUP_DIR/<task id>/P, journal its
 *                              "restore", set CHOM_BACKUP_PATH. No-op in check mode.
 *   chom_diff OLD NEW LABEL    append `diff -u` of two files to the task's diff (only with --diff)
 *   chom_diff_note TEXT        append free text to the task's diff (only with --diff)
 *   chom_journal OP PATH UNDO [BACKUP]   one JSON line in $CHOM_JOURNAL (not in check mode):
 *                              {"run","task","time","op","path","undo","backup"?}; undo is one of
 *                              delete | restore (copy BACKUP back to PATH) | rmdir |
 *                              "attrs MODE UID GID" (put old attributes back). Rollback replays
 *                              a run's lines in reverse order.
 *
 *   chom_snapshot P...         journal how to undo side effects of a tool on P (useradd rewrites
 *                              /etc/passwd- ...): existing P backed up (restore), missing P -> delete.
 *                              Other undo steps modules journal: user NAME userdel|"userdel -r",
 *                              group NAME groupdel, unit-enable|unit-start|unit-disable|unit-stop|
 *                              unit-mask UNIT disable|stop|enable|start|unmask, pkg NAME purge,
 *                              ufw-rule "RULE" delete. prelude/undo.sh replays them.
 *
 * Safety (prelude/safety.sh)
 *   chom_wait_pkg_lock [MAX]   wait (default 120 s) while a live process holds a dpkg/apt lock;
 *                              sets CHOM_PKG_LOCK_WAITED to a note; fails after MAX s
 *   One run per host: the script holds flock on ${CHOM_LOCK_FILE:-/var/lib/chom-play/lock} (holder
 *   details inside; emptied on release). Before any task / and /var need CHOM_MIN_DISK_MB free.
 *   Tasks run in their own process group; a timeout kills the group. Failed tasks carry an error
 *   class (chom__classify). TERM/INT stop at once (current task killed, temp files removed, lock
 *   released); HUP or a closed event stream let the current task finish, then the script stops.
 *
 * Helpers
 *   chom_state_get KEY / chom_state_set KEY VALUE   predicted state (check mode), e.g. "user:www"
 *                              -> present|absent, "pkg:nginx" -> installed. get returns 1 if unset.
 *   chom_b64d B64              decoded bytes on stdout
 *   chom_sha FILE              sha256 hex of a file;  chom_same A B: both regular files, same sha256
 *   chom_exists P              exists or is a (dangling) link
 *   chom_tmpfile / chom_tmpdir a fresh temp file/dir under $CHOM_TMP (removed at the end);
 *                              chom_tmpfilev VAR sets VAR without a subshell (no process at all)
 *   getent passwd|group KEY    a function: answered from /etc/passwd, /etc/group in builtins when
 *                              nsswitch.conf puts "files" first, else (and when not found) the
 *                              real getent; chom_getentv VAR DB KEY sets VAR (no subshell)
 *   chom_pathv VAR P           chom_path into VAR (no subshell outside check mode)
 *   chom_lineinfile_ok FILE STATE KIND PATTERN LINE   "no edit needed" decided in builtins for
 *                              literal regexps, search_string and plain lines (else status 1: perl)
 *
 * No-change pass (issue 15): the main function reads the metadata of every managed path with one
 * stat (chom__prefetch) and the hash of every file of known content with one sha256sum
 * (chom__prefetch_sha); chom_set_attrs, chom_put_b64 and chom_lineinfile_ok decide from them in builtins until a
 * task changes something (then both are dropped). Never in check mode.
 *
 * Stops at task boundaries (chom__boundary): the stop file /run/chom-play/stop-RUN_ID (first
 * Ctrl-C), a closed event stream, or a silent controller: /run/chom-play/hb-RUN_ID, touched by the
 * controller every few seconds, older than CHOM_HEARTBEAT_TIMEOUT s (default 30). A "stopped"
 * event says why; a silent controller is also written to the journal (op "stop").
 *   chom_json_str S            S as a JSON string literal (for short text)
 *
 * Variables: CHOM_CHECK, CHOM_DIFF (0|1), CHOM_RUN_ID, CHOM_HOST, CHOM_TASK_ID, CHOM_TMP,
 * CHOM_BACKUP_DIR (= ${CHOM_BACKUP_ROOT:-/var/backups/chom-play}/RUN_ID), CHOM_JOURNAL
 * (= ${CHOM_JOURNAL_DIR:-/var/lib/chom-play/runs}/RUN_ID.jsonl). Names starting with chom__ are
 * internal to the runner. Tools used on the host: bash >= 4.4, coreutils (base64, sha256sum, stat,
 * mktemp, mv, cp), diff (diffutils) and perl (perl-base) -- all Essential in Debian minbase.
 * Regular expressions (lineinfile, blockinfile) run in perl: Python's syntax as Ansible users
 * write it ((?P<name>...), \d, lookarounds) is accepted by perl.
 */
import {
  PRELUDE_CORE,
  PRELUDE_FILES,
  PRELUDE_FIREWALL,
  PRELUDE_RUN,
  PRELUDE_SAFETY,
  PRELUDE_SCRATCH,
  PRELUDE_UNDO,
} from './prelude/text.js';
import { bashEmitters } from './event-table.js';

export const PRELUDE: string = [
  PRELUDE_CORE,
  PRELUDE_SCRATCH,
  PRELUDE_FILES,
  PRELUDE_RUN,
  bashEmitters(),
  PRELUDE_FIREWALL,
  PRELUDE_SAFETY,
  PRELUDE_UNDO,
].join('\n');
