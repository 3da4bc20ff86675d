import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's hostname for Debian/Ubuntu: with systemd running, hostnamectl (Ansible's systemd
 * strategy: permanent and running name); without it, only /etc/hostname, as Ansible's file
 * strategy does (it leaves the running name to the next boot). Facts gathered before the run
 * still hold the old name for later tasks of the same run (Ansible updates them).
 */
export default defineModule({
  name: 'hostname',
  args: {
    name: { type: 'str', required: true },
    use: { type: 'str', choices: ['debian', 'systemd', 'file', 'generic'] },
  },
  compile: (p) => {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(p.name))
      throw new ModuleArgError(`"${p.name}" is not a valid host name (letters, digits, '-' and '.')`, 'name');
    const forceFile = p.use === 'file' || p.use === 'debian' || p.use === 'generic';
    return (
      [
        `n=${quote(p.name)}; b64=${quote(Buffer.from(`${p.name}\n`).toString('base64'))}`,
        'cur=$(cat /proc/sys/kernel/hostname 2>/dev/null || hostname)',
        'perm=""; f=$(chom_path /etc/hostname); [ -f "$f" ] && IFS= read -r perm <"$f" || true',
        `if ${forceFile ? 'false' : 'true'} && command -v hostnamectl >/dev/null && [ -d /run/systemd/system ]; then`,
        '  if [ "$cur" != "$n" ] || [ "$perm" != "$n" ]; then',
        '    if chom_check; then chom_changed "would set the host name to $n (was $cur)"',
        '    else hostnamectl set-hostname "$n" || chom_fail "hostnamectl set-hostname $n failed"; chom_changed "host name $cur -> $n"; fi',
        '  fi',
        'else',
        '  [ "$perm" = "$n" ] || chom_put_content /etc/hostname "$b64" "" "" "" 0 "$(chom_check && printf "would write" || printf "wrote") /etc/hostname ($n)"',
        'fi',
        'chom_has_changed || chom_ok "host name is $n"',
      ].join('\n') + '\n'
    );
  },
});
