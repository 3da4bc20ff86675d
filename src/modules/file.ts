import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

/** Attributes of everything below a directory (recurse: yes); links themselves, never their targets. */
const RECURSE = `
n=0; chom_pathv base "$p"
if [ -d "$base" ]; then
  while IFS= read -r -d '' f; do
    real="$p\${f#"$base"}"; nf=0; [ -L "$f" ] && nf=1
    CHOM_ATTRS_QUIET=1 chom_set_attrs "$real" "$mode" "$owner" "$group" "$nf"
    [ "$CHOM_ATTRS_CHANGED" = 1 ] && n=$((n + 1))
  done < <(find "$base" -mindepth 1 -print0)
fi
if [ "$n" -gt 0 ]; then chom_changed "$(chom_check && printf 'would set' || printf 'set') attributes of $n path(s) under $p"; fi`;

/**
 * Ansible's file module: a path's kind (file, directory, link, absent, touch) and attributes.
 * Without state, an existing path keeps its kind (only attributes change) and a missing one is
 * an error, as in Ansible. touch creates a missing file but leaves an existing one's times
 * alone (Ansible's modification_time: preserve), so a second run is ok.
 */
const args = {
  path: { type: 'path', required: true, aliases: ['dest', 'name'] },
  state: { type: 'str', choices: ['file', 'directory', 'absent', 'link', 'touch'] },
  owner: { type: 'id' },
  group: { type: 'id' },
  mode: { type: 'mode' },
  recurse: { type: 'bool', default: false },
  src: { type: 'str' },
  force: { type: 'bool', default: false },
} as const;

function compile(p: Params<typeof args>): string {
  const path = p.path;
  const recurse = p.recurse;
  const state = p.state ?? (recurse ? 'directory' : '');
  const force = p.force;
  if (recurse && state !== 'directory') throw new ModuleArgError('recurse: yes only works with state: directory', 'recurse');
  if (state !== 'link' && p.src !== undefined) throw new ModuleArgError('src is only used with state: link', 'src');
  const L = [
    `# file ${JSON.stringify(path)} state=${state || '(keep)'}`,
    `p=${quote(path.replace(/(.)\/+$/, '$1'))}; mode=${quote(p.mode ?? '')}; owner=${quote(p.owner ?? '')}; group=${quote(p.group ?? '')}`,
    'chom_pathv cur "$p"',
  ];
  switch (state) {
    case 'absent':
      L.push('if chom_exists "$cur"; then chom_remove "$p"; else chom_ok "$p is already absent"; fi');
      break;
    case 'directory':
      L.push(
        'if [ -d "$cur" ]; then chom_set_attrs "$p" "$mode" "$owner" "$group"',
        'elif chom_exists "$cur"; then chom_fail "$p exists and is not a directory"',
        'else chom_mkdir "$p" "$mode" "$owner" "$group"; fi',
      );
      if (recurse) L.push(RECURSE);
      L.push('chom_has_changed || chom_ok "directory $p exists with the wanted attributes"');
      break;
    case 'touch':
      L.push(
        'if chom_exists "$cur"; then chom_set_attrs "$p" "$mode" "$owner" "$group"',
        `else chom_put_content "$p" '' "$mode" "$owner" "$group" 0 "$(chom_check && printf 'would create' || printf 'created') empty file $p"; fi`,
        'chom_has_changed || chom_ok "$p exists with the wanted attributes"',
      );
      break;
    case 'link': {
      const src = p.src ?? '';
      if (src === '') throw new ModuleArgError('src cannot be empty', 'src');
      L.push(
        `src=${quote(src)}`,
        `chom_symlink "$src" "$p" ${force ? 1 : 0}`,
        // A link has no mode of its own on Linux: only owner and group apply, to the link itself.
        'if [ -n "$owner$group" ]; then chom_set_attrs "$p" "" "$owner" "$group" 1; fi',
        'chom_has_changed || chom_ok "link $p -> $src exists"',
      );
      break;
    }
    case 'file':
      L.push(
        'if ! chom_exists "$cur"; then chom_fail "file $p does not exist (state: file never creates files; use state: touch, copy or template)"; fi',
        'if [ -d "$cur" ] && [ ! -L "$cur" ]; then chom_fail "$p is a directory, not a file"; fi',
        'chom_set_attrs "$p" "$mode" "$owner" "$group"',
        'chom_has_changed || chom_ok "file $p exists with the wanted attributes"',
      );
      break;
    default:
      L.push(
        'if ! chom_exists "$cur"; then chom_fail "$p does not exist (set state: file, directory, touch or link to say what it should be)"; fi',
        'chom_set_attrs "$p" "$mode" "$owner" "$group"',
        'chom_has_changed || chom_ok "$p exists with the wanted attributes"',
      );
  }
  return L.join('\n') + '\n';
}

export default defineModule({
  name: 'file',
  args,
  requiredIf: [{ arg: 'state', is: 'link', then: ['src'] }],
  compile,
});
