import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's find (files, directories, links by glob pattern), read-only: returns `files` (each
 * entry's path and stat fields as Ansible's statinfo gives them), `matched` and `examined`
 * (every entry walked, hidden ones included). Like Ansible, hidden entries are skipped but
 * hidden directories are still walked with recurse. For conditions, `files` reads as its paths,
 * one a line (`found.files | length > 0`, `when: found.files`). Not supported yet: age, size,
 * contains, depth, use_regex, follow, get_checksum (refused, never ignored).
 */
const TYPES = { file: 'f', directory: 'd', link: 'l', any: '' } as const;

export default defineModule({
  name: 'find',
  args: {
    paths: { type: 'list', required: true, aliases: ['name', 'path'] },
    patterns: { type: 'list', default: ['*'], aliases: ['pattern'] },
    excludes: { type: 'list', default: [], aliases: ['exclude'] },
    file_type: { type: 'str', default: 'file', choices: ['file', 'directory', 'link', 'any'] },
    recurse: { type: 'bool', default: false },
    hidden: { type: 'bool', default: false },
    age: { type: 'raw' },
    size: { type: 'raw' },
    contains: { type: 'raw' },
    depth: { type: 'raw' },
    use_regex: { type: 'bool', default: false },
    follow: { type: 'bool', default: false },
    get_checksum: { type: 'bool', default: false },
  },
  compile: (p) => {
    for (const a of ['age', 'size', 'contains', 'depth'] as const) {
      if (p[a] !== undefined && p[a] !== null) throw new ModuleArgError(`${a} is not supported by chom-play yet`, a);
    }
    for (const a of ['use_regex', 'follow', 'get_checksum'] as const)
      if (p[a]) throw new ModuleArgError(`${a}: true is not supported by chom-play yet`, a);
    for (const d of p.paths)
      if (!d.startsWith('/') || d.includes('\n')) throw new ModuleArgError(`paths: "${d}" is not an absolute path`, 'paths');
    const words = (l: string[]) => l.map((x) => quote(x)).join(' ');
    const type = TYPES[p.file_type as keyof typeof TYPES];
    return (
      [
        `dirs=(${words(p.paths)}); pats=(${words(p.patterns)}); excl=(${p.excludes.length ? words(p.excludes) : ''})`,
        `want=${quote(type)}; hidden=${p.hidden ? 1 : 0}`,
        'examined=0; matched=0; json=""; paths=""',
        'match() { local x; for x in "${excl[@]}"; do [[ $1 == $x ]] && return 1; done; for x in "${pats[@]}"; do [[ $1 == $x ]] && return 0; done; return 1; }',
        'b() { [ "$1" = true ]; }',
        'for d in "${dirs[@]}"; do',
        '  [ -d "$d" ] || { printf \'%s was skipped as it does not exist or is not a directory\\n\' "$d" >&2; continue; }',
        `  while IFS=$'\\t' read -r -d '' y m uid gid un gn size ino dev nl at mt ct path; do`,
        '    examined=$((examined + 1)); base=${path##*/}',
        '    [[ $hidden = 0 && $base == .* ]] && continue',
        '    [ -z "$want" ] || [ "$y" = "$want" ] || continue',
        '    match "$base" || continue',
        '    matched=$((matched + 1)); printf -v mode %04o "$((8#$m))"; mm=$((8#$m))',
        '    e="{\\"path\\":$(chom_json_str "$path"),\\"mode\\":\\"$mode\\""',
        '    for k in isdir:d isreg:f islnk:l ischr:c isblk:b isfifo:p issock:s; do if [ "$y" = "${k#*:}" ]; then e+=",\\"${k%:*}\\":true"; else e+=",\\"${k%:*}\\":false"; fi; done',
        '    e+=",\\"uid\\":$uid,\\"gid\\":$gid,\\"size\\":$size,\\"inode\\":$ino,\\"dev\\":$dev,\\"nlink\\":$nl,\\"atime\\":$at,\\"mtime\\":$mt,\\"ctime\\":$ct"',
        '    [[ $un =~ ^[0-9]+$ ]] || e+=",\\"pw_name\\":$(chom_json_str "$un")"; [[ $gn =~ ^[0-9]+$ ]] || e+=",\\"gr_name\\":$(chom_json_str "$gn")"',
        '    i=0; for k in xoth woth roth xgrp wgrp rgrp xusr wusr rusr; do if (( mm >> i & 1 )); then e+=",\\"$k\\":true"; else e+=",\\"$k\\":false"; fi; i=$((i + 1)); done',
        '    if (( mm & 2048 )); then e+=",\\"isuid\\":true"; else e+=",\\"isuid\\":false"; fi; if (( mm & 1024 )); then e+=",\\"isgid\\":true"; else e+=",\\"isgid\\":false"; fi',
        '    json+="${json:+,}$e}"; paths+="$path"$\'\\n\'',
        `  done < <(find "$d" -mindepth 1 ${p.recurse ? '' : '-maxdepth 1 '}-printf '%y\\t%m\\t%U\\t%G\\t%u\\t%g\\t%s\\t%i\\t%D\\t%n\\t%A@\\t%T@\\t%C@\\t%p\\0')`,
        'done',
        'chom_ret "j:files" "[$json]"; chom_ret s:_files "${paths%$\'\\n\'}"; chom_ret i:matched "$matched"; chom_ret i:examined "$examined"',
        'chom_ok "$matched of $examined entries match"',
      ].join('\n') + '\n'
    );
  },
});
