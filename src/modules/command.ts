import { quote } from '../shell/quote.js';
import { defineModule, type ArgSpec, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

/** Arguments shared by command and shell (Ansible's names). */
export const COMMON_ARGS = {
  cmd: { type: 'str' },
  creates: { type: 'str' },
  removes: { type: 'str' },
  chdir: { type: 'str' },
  stdin: { type: 'str' },
  stdin_add_newline: { type: 'bool', default: true },
} as const satisfies Record<string, ArgSpec>;

/**
 * Splits a command line into words the way a POSIX shell would, WITHOUT any shell feature:
 * quotes and backslashes group and escape, but `|`, `>`, `$VAR`, globs and `;` stay literal
 * characters of the words (as in Ansible's command module, which uses shlex).
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ModuleArgError(`unterminated single quote in command: ${line}`, 'cmd');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ModuleArgError(`unterminated double quote in command: ${line}`, 'cmd');
        const d = line[i];
        if (d === '"') break;
        // Inside double quotes a backslash only escapes these characters, as in sh.
        if (d === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) {
          if (line[i + 1] !== '\n') cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 < line.length && line[i + 1] !== '\n') cur += line[i + 1];
      inWord = inWord || (i + 1 < line.length && line[i + 1] !== '\n');
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/**
 * The body shared by command and shell: chdir, then creates/removes decide whether to run
 * (relative paths are taken from chdir, as in Ansible), then the run itself with stdin.
 * `run` is already-quoted bash; `shown` is the command as the user wrote it (for messages).
 * A failing command fails the task with the command's own exit code, so `register` sees its rc.
 */
export function runBody(run: string, shown: string, args: Params<typeof COMMON_ARGS>): string {
  const L: string[] = [`# ${shown.split('\n')[0].slice(0, 120)}`, `shown=${quote(shown)}`];
  if (args.chdir !== undefined) {
    const dir = args.chdir;
    L.push(
      `dir=${quote(dir)}`,
      // In check mode the directory may be one an earlier task would create: not an error then.
      'if [ -d "$dir" ]; then cd -- "$dir"; elif ! chom_check; then chom_fail "chdir: directory $dir does not exist"; fi',
    );
  }
  const ABS = 'ap=$p; case "$ap" in /*) ;; *) ap=$PWD/$ap ;; esac';
  const present = (p: string) => `{ chom_pathv cur ${p}; [ -e "$cur" ]; }`;
  if (args.creates !== undefined) {
    L.push(`p=${quote(args.creates)}`, ABS, `if ${present('"$ap"')}; then chom_ok "skipped, since $p exists"; return 0; fi`);
  }
  if (args.removes !== undefined) {
    L.push(`p=${quote(args.removes)}`, ABS, `if ! ${present('"$ap"')}; then chom_ok "skipped, since $p does not exist"; return 0; fi`);
  }
  L.push('if chom_check; then chom_changed "would run: $shown"; return 0; fi');
  let input = '</dev/null';
  if (args.stdin !== undefined) {
    const text = args.stdin + (args.stdin_add_newline ? '\n' : '');
    input = `< <(printf %s ${quote(text)})`;
  }
  L.push(
    'rc=0',
    // become_user (set by the planner): the command runs as that user; the task's own files stay root's.
    `\${CHOM_BECOME_USER:+runuser -u "$CHOM_BECOME_USER" --} ${run} ${input} || rc=$?`,
    // The task's exit status is the command's: the runner reports it as rc.
    'if [ "$rc" -ne 0 ]; then echo "non-zero return code $rc from: $shown" >&2; return "$rc"; fi',
    'chom_changed "ran: $shown"',
  );
  return L.join('\n') + '\n';
}

const args = { ...COMMON_ARGS, argv: { type: 'list' } } as const;

/** Runs a program directly (no shell): the command line is split into words here, on the controller. */
function compile(p: Params<typeof args>): string {
  const argv = p.argv ?? splitWords(p.cmd ?? '');
  if (argv.length === 0) throw new ModuleArgError('the command is empty', 'cmd');
  const shown = p.cmd ?? argv.map(quote).join(' ');
  // Through env: the first word is always a program on PATH (as in Ansible), never a bash builtin
  // or a function of the script (`command: exit 3` fails with 127 instead of ending the task).
  return runBody(`env -- ${argv.map(quote).join(' ')}`, shown, p);
}

export default defineModule({
  name: 'command',
  freeForm: 'cmd',
  args,
  mutuallyExclusive: [['cmd', 'argv']],
  requiredOneOf: [['cmd', 'argv']],
  compile,
});
