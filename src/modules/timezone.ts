import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's timezone (name only; hwclock is not supported). With systemd running, timedatectl;
 * without it, what Ansible's Debian strategy leaves: /etc/localtime a link to
 * /usr/share/zoneinfo/NAME and /etc/timezone holding NAME. Needs tzdata on the host.
 */
export default defineModule({
  name: 'timezone',
  args: {
    name: { type: 'str', required: true },
    hwclock: { type: 'str', aliases: ['rtc'] },
  },
  compile: (p) => {
    if (p.hwclock !== undefined) throw new ModuleArgError('hwclock is not supported by chom-play yet', 'hwclock');
    if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(p.name))
      throw new ModuleArgError(`"${p.name}" is not a time zone name (like Europe/Paris or UTC)`, 'name');
    return (
      [
        `tz=${quote(p.name)}; zf=/usr/share/zoneinfo/$tz; b64=${quote(Buffer.from(`${p.name}\n`).toString('base64'))}`,
        '[ -f "$zf" ] || chom_fail "unknown time zone $tz: $zf does not exist (is tzdata installed?)"',
        'if command -v timedatectl >/dev/null && [ -d /run/systemd/system ]; then',
        '  cur=$(timedatectl show -p Timezone --value 2>/dev/null || true)',
        '  if [ "$cur" != "$tz" ]; then',
        '    if chom_check; then chom_changed "would set the time zone to $tz (was $cur)"',
        '    else timedatectl set-timezone "$tz" || chom_fail "timedatectl set-timezone $tz failed"; chom_changed "time zone $cur -> $tz"; fi',
        '  fi',
        'else',
        '  chom_symlink "$zf" /etc/localtime 1',
        '  cur=""; f=$(chom_path /etc/timezone); [ -f "$f" ] && IFS= read -r cur <"$f" || true',
        '  [ "$cur" = "$tz" ] || chom_put_content /etc/timezone "$b64" "" "" "" 0 "$(chom_check && printf "would write" || printf "wrote") /etc/timezone ($tz)"',
        'fi',
        'chom_has_changed || chom_ok "time zone is $tz"',
      ].join('\n') + '\n'
    );
  },
});
