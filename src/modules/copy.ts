import { createHash } from 'node:crypto';
import { b64, quote } from '../shell/quote.js';
import { absPath } from './args.js';
import { defineModule, type ArgSpec } from './spec.js';
import { ModuleArgError, type LocalInput } from './types.js';

/** Splits a command line like a POSIX shell (quotes, backslashes), without any expansion. */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) i++;
        cur += s[i];
      }
      if (i >= s.length) throw new Error('unterminated double quote');
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/**
 * `validate: visudo -cf %s` as bash words with %s bound to "$want" (the new content's temp file).
 * The command is split here, like Ansible does (no shell): each word is quoted, nothing expands.
 */
export function validateCommand(v: string): string {
  if (!v.includes('%s')) throw new ModuleArgError(`validate must contain %s (where the file to check goes): "${v}"`, 'validate');
  let words: string[];
  try {
    words = shellWords(v);
  } catch (err) {
    throw new ModuleArgError(`validate: ${(err as Error).message} in "${v}"`, 'validate');
  }
  if (words.length === 0) throw new ModuleArgError('validate is empty', 'validate');
  return words
    .map((w) =>
      w
        .split('%s')
        .map((part) => (part === '' ? '' : quote(part)))
        .join('"$want"'),
    )
    .join(' ');
}

export interface PutOptions {
  dest: string;
  /** The new content inline, or (large/binary copy sources) a file the controller staged. */
  contentB64: string;
  staged?: StagedFile;
  mode: string;
  owner: string;
  group: string;
  backup: boolean;
  force: boolean;
  validate?: string;
  /** copy from src: a directory at dest receives the file under this name. */
  srcBase?: string;
  what: string;
}

/**
 * Shared by copy and template: decode the new content into a temp file, validate it BEFORE it
 * replaces anything (a failing validator leaves the old file and fails the task with its output),
 * then chom_put_file. Validation is skipped in check mode (the validator could have effects).
 */
export function putSnippet(o: PutOptions): string {
  const L = [`# ${o.what}`, `dest=${quote(o.dest)}; mode=${quote(o.mode)}; owner=${quote(o.owner)}; group=${quote(o.group)}`];
  if (o.srcBase !== undefined) {
    L.push(`chom_pathv cur "$dest"; if [[ $dest == */ ]] || [ -d "$cur" ]; then dest="\${dest%/}/"${quote(o.srcBase)}; fi`);
  } else {
    L.push('chom_pathv cur "$dest"; if [ -d "$cur" ]; then chom_fail "$dest is a directory: give the path of the file to write"; fi');
  }
  if (!o.force) {
    L.push('chom_pathv cur "$dest"; if chom_exists "$cur"; then chom_ok "$dest exists and force: no leaves it as it is"; return 0; fi');
  }
  if (!o.staged && o.validate === undefined) {
    // Content known here: its hash lets the host skip decoding when the file already matches.
    const sha = createHash('sha256').update(Buffer.from(o.contentB64, 'base64')).digest('hex');
    L.push(`chom_put_b64 "$dest" ${sha} ${quote(o.contentB64)} "$mode" "$owner" "$group" ${o.backup ? 1 : 0}`);
    return L.join('\n') + '\n';
  }
  if (o.staged) L.push(...stagedSnippet(o.staged));
  else L.push(`chom_tmpfilev want; chom_b64d ${quote(o.contentB64)} >"$want"`);
  if (o.validate !== undefined) {
    L.push(
      'chom_pathv cur "$dest"',
      'if ! chom_check && ! chom_same "$cur" "$want"; then',
      `  if ! vout=$(${validateCommand(o.validate)} </dev/null 2>&1); then`,
      '    printf \'%s\\n\' "$vout" >&2',
      `    chom_fail "validation of the new content failed: $(printf '%s' "$vout" | tail -n 5) ($dest left as it was)"`,
      '  fi',
      'fi',
    );
  }
  L.push(`chom_put_file "$dest" "$want" "$mode" "$owner" "$group" ${o.backup ? 1 : 0}`);
  return L.join('\n') + '\n';
}

/** A copy source uploaded over SFTP before the script runs (see src/plan/staging.ts). */
export interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * The new content is the staged file, checked by sha256 before use. Check mode uploads nothing,
 * so without a staged copy it decides by the sha256 of dest alone (no diff for such files).
 */
function stagedSnippet(st: StagedFile): string[] {
  return [
    `stage=${quote(st.path)}; sum=${quote(st.sha256)}`,
    'if chom_check && [ ! -f "$stage" ]; then',
    '  chom_pathv cur "$dest"',
    '  if [ -f "$cur" ] && [ "$(chom_sha "$cur")" = "$sum" ]; then',
    '    chom_set_attrs "$dest" "$mode" "$owner" "$group"',
    '    [ "$CHOM_ATTRS_CHANGED" = 1 ] || chom_ok "$dest has the wanted content (sha256 $sum)"',
    '    return 0',
    '  fi',
    `  chom_changed "would $(chom_exists "$cur" && echo update || echo create) $dest (${st.size} bytes, staged over SFTP; no diff for large or binary files)"`,
    '  return 0',
    'fi',
    '[ -f "$stage" ] || chom_fail "the staged copy $stage is missing: the upload before the script did not happen"',
    '[ "$(chom_sha "$stage")" = "$sum" ] || chom_fail "the staged copy $stage does not have sha256 $sum: upload damaged, run again"',
    'want=$stage',
  ];
}

/** Arguments copy and template share: where the content goes, its attributes, and how. */
export const PUT_ARGS = {
  dest: { type: 'path', required: true },
  owner: { type: 'id' },
  group: { type: 'id' },
  mode: { type: 'mode' },
  backup: { type: 'bool', default: false },
  force: { type: 'bool', default: true },
  validate: { type: 'str' },
} as const satisfies Record<string, ArgSpec>;

/** The new content from a loaded controller-side input. */
export function inputContent(input: LocalInput | undefined, arg: string): { contentB64: string; staged?: StagedFile } {
  if (!input) throw new ModuleArgError(`the content of ${arg} was not loaded`, arg);
  return 'staged' in input ? { contentB64: '', staged: input.staged } : { contentB64: input.contentB64 };
}

/**
 * Ansible's copy: `content` inline, or `src` (a controller file the planner reads because `inputs`
 * declares it). dest ending in / (or an existing directory) receives src's file name.
 */
export default defineModule({
  name: 'copy',
  args: {
    ...PUT_ARGS,
    // dest may end in / with src (the file keeps its name): checked below, so a plain string here.
    dest: { type: 'str', required: true },
    content: { type: 'str' },
    src: { type: 'str' },
  },
  mutuallyExclusive: [['content', 'src']],
  requiredOneOf: [['content', 'src']],
  inputs: { src: 'file' },
  compile(p, ctx) {
    const dest = absPath(p.dest, 'dest');
    if (p.content !== undefined && dest.endsWith('/'))
      throw new ModuleArgError('with content, dest must be a file path, not a directory', 'dest');
    const srcBase = p.src !== undefined ? p.src.replace(/\/+$/, '').split('/').pop() : undefined;
    if (srcBase === '') throw new ModuleArgError('src has no file name', 'src');
    const c = p.content !== undefined ? { contentB64: b64(p.content) } : inputContent(ctx.inputs?.src, 'src');
    return putSnippet({
      dest,
      ...c,
      mode: p.mode ?? '',
      owner: p.owner ?? '',
      group: p.group ?? '',
      backup: p.backup,
      force: p.force,
      validate: p.validate,
      srcBase,
      what: `copy -> ${JSON.stringify(dest)}`,
    });
  },
});
