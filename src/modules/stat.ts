import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';

/**
 * Ansible's stat: reads a path's metadata and returns it as `stat` (what `register` holds),
 * never changes anything (so it runs the same in check mode, reading the check-mode view of
 * files earlier tasks would have written). Fields and types: src/modules/returns.ts; each is
 * sent with chom_ret so conditions (`when: st.stat.exists`) run on the host and the controller
 * shows the values. Not returned (yet): mimetype/charset (get_mime), attributes/version
 * (get_attributes); those arguments are accepted and ignored, as their keys are only extra.
 */
const ALGOS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

export default defineModule({
  name: 'stat',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'name'] },
    follow: { type: 'bool', default: false },
    get_checksum: { type: 'bool', default: true },
    checksum_algorithm: { type: 'str', default: 'sha1', choices: ALGOS, aliases: ['checksum', 'checksum_algo'] },
    get_mime: { type: 'bool', default: true, aliases: ['mime', 'mime_type', 'mime-type'] },
    get_attributes: { type: 'bool', default: true, aliases: ['attr', 'attributes'] },
  },
  compile: (p) => {
    const L = [
      `p=${quote(p.path)}; chom_pathv cur "$p"`,
      `chom_ret s:stat__path "$p"`,
      // follow: a link is read through (a dangling one does not exist), as os.stat does.
      p.follow ? 'if [ ! -e "$cur" ]; then' : 'if [ ! -e "$cur" ] && [ ! -L "$cur" ]; then',
      '  : >"$CHOM_T/ret"; chom_ret b:stat__exists false; chom_ok "$p does not exist"; exit 0',
      'fi',
      `r=$(stat ${p.follow ? '-L ' : ''}-c '%a|%u|%g|%U|%G|%s|%i|%d|%h|%.9X|%.9Y|%.9Z|%b|%B|%F|%t|%T' -- "$cur")`,
      'IFS=\'|\' read -r a uid gid un gn size ino dev nl at mt ct blk bs ft maj min <<<"$r"',
      'm=$((8#$a)); printf -v mode %04o "$m"',
      'bit() { if (( m & $1 )); then printf true; else printf false; fi; }',
      'is() { if [ "$ft" = "$1" ] || [ "$ft" = "$2" ]; then printf true; else printf false; fi; }',
      'chom_ret b:stat__exists true; chom_ret s:stat__mode "$mode"',
      'chom_ret b:stat__isdir "$(is directory)"; chom_ret b:stat__isreg "$(is "regular file" "regular empty file")"',
      'chom_ret b:stat__islnk "$(is "symbolic link")"; chom_ret b:stat__ischr "$(is "character special file")"',
      'chom_ret b:stat__isblk "$(is "block special file")"; chom_ret b:stat__isfifo "$(is fifo)"; chom_ret b:stat__issock "$(is socket)"',
      'chom_ret i:stat__uid "$uid"; chom_ret i:stat__gid "$gid"; chom_ret i:stat__size "$size"',
      // A uid/gid without a name: Ansible leaves pw_name/gr_name out (getpwuid fails).
      '[ "$un" = UNKNOWN ] || chom_ret s:stat__pw_name "$un"; [ "$gn" = UNKNOWN ] || chom_ret s:stat__gr_name "$gn"',
      'chom_ret i:stat__inode "$ino"; chom_ret i:stat__dev "$dev"; chom_ret i:stat__nlink "$nl"',
      'chom_ret i:stat__blocks "$blk"; chom_ret i:stat__block_size "$bs"; chom_ret i:stat__device_type "$(( (16#$maj << 8) | 16#$min ))"',
      'chom_ret f:stat__atime "$at"; chom_ret f:stat__mtime "$mt"; chom_ret f:stat__ctime "$ct"',
      'chom_ret b:stat__rusr "$(bit 256)"; chom_ret b:stat__wusr "$(bit 128)"; chom_ret b:stat__xusr "$(bit 64)"',
      'chom_ret b:stat__rgrp "$(bit 32)"; chom_ret b:stat__wgrp "$(bit 16)"; chom_ret b:stat__xgrp "$(bit 8)"',
      'chom_ret b:stat__roth "$(bit 4)"; chom_ret b:stat__woth "$(bit 2)"; chom_ret b:stat__xoth "$(bit 1)"',
      'chom_ret b:stat__isuid "$(bit 2048)"; chom_ret b:stat__isgid "$(bit 1024)"',
      'acc() { if [ "$1" "$cur" ]; then printf true; else printf false; fi; }',
      'chom_ret b:stat__readable "$(acc -r)"; chom_ret b:stat__writeable "$(acc -w)"; chom_ret b:stat__executable "$(acc -x)"',
      'if [ "$ft" = "symbolic link" ]; then chom_ret s:stat__lnk_target "$(readlink -- "$cur")"; chom_ret s:stat__lnk_source "$(realpath -m -- "$p")"; fi',
    ];
    if (p.get_checksum) {
      L.push(
        `if [[ $ft == regular*file ]] && [ -r "$cur" ]; then s=$(${p.checksum_algorithm}sum -- "$cur"); chom_ret s:stat__checksum "\${s%% *}"; fi`,
      );
    }
    L.push('chom_ok "$p: $ft, mode $mode, $un:$gn, $size bytes"');
    return L.join('\n') + '\n';
  },
});
