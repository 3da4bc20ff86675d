import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * The file edit as ansible.posix.sysctl does it: the key's line (`key = value` or `key=value`,
 * comments aside) becomes `key=value`, a missing key is appended, state: absent drops it; values
 * compare with whitespace normalised. Prints "changed" or "ok".
 */
const PERL = String.raw`
use strict; use warnings;
my ($in, $out) = @ARGV;
my ($k, $v, $state) = ($ENV{CHOM_S_KEY}, $ENV{CHOM_S_VALUE}, $ENV{CHOM_S_STATE});
my $c = ""; if (-e $in) { open(my $fh, "<", $in) or die "cannot read: $!\n"; local $/; $c = <$fh> // ""; close $fh; }
my @l = $c =~ /[^\n]*\n|[^\n]+/g; my @o; my $found = 0; my $changed = 0;
sub norm { my $s = shift; $s =~ s/^\s+|\s+$//g; $s =~ s/\s+/ /g; return $s; }
for my $line (@l) {
  if ($line !~ /^\s*[#;]/ && $line =~ /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/ && $1 eq $k) {
    if ($state eq "absent" || $found) { $changed = 1; next; }
    $found = 1;
    if (norm($2) ne norm($v)) { push @o, "$k=$v\n"; $changed = 1; } else { push @o, $line; }
    next;
  }
  push @o, $line;
}
if ($state eq "present" && !$found) { $o[-1] .= "\n" if @o && $o[-1] !~ /\n\z/; push @o, "$k=$v\n"; $changed = 1; }
open(my $o, ">", $out) or die "cannot write: $!\n"; print $o @o; close $o;
print $changed ? "changed\n" : "ok\n";
`;

/** ansible.posix.sysctl: a kernel parameter in a sysctl file, applied with sysctl -p (reload). */
export default defineModule({
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  args: {
    name: { type: 'str', required: true, aliases: ['key'] },
    value: { type: 'str', aliases: ['val'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    sysctl_file: { type: 'path', default: '/etc/sysctl.conf' },
    reload: { type: 'bool', default: true },
    sysctl_set: { type: 'bool', default: false },
    ignoreerrors: { type: 'bool', default: false },
  },
  compile: (p) => {
    if (!/^[A-Za-z0-9_.\-/*]+$/.test(p.name)) throw new ModuleArgError(`"${p.name}" is not a sysctl key`, 'name');
    if (p.state === 'present' && (p.value === undefined || p.value.trim() === ''))
      throw new ModuleArgError('state: present needs value', 'value');
    if ((p.value ?? '').includes('\n')) throw new ModuleArgError('value is a single line', 'value');
    const value = (p.value ?? '').trim();
    const ie = p.ignoreerrors ? ' -e' : '';
    const L = [
      `# sysctl ${p.name} ${p.state}`,
      `k=${quote(p.name)}; v=${quote(value)}; f=${quote(p.sysctl_file)}`,
      'cur=$(chom_path "$f"); [ -e "$cur" ] || cur=/dev/null',
      'new=$(chom_tmpfile); err=$(chom_tmpfile)',
      `res=$(CHOM_S_KEY="$k" CHOM_S_VALUE="$v" CHOM_S_STATE=${quote(p.state)} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "sysctl: $(cat "$err")"`,
      `[ "$res" = changed ] && chom_put_file "$f" "$new" "" "" "" 0 "$(chom_check && printf 'would set' || printf 'set') ${p.state === 'present' ? '$k=$v' : '$k absent'} in $f"`,
    ];
    if (p.state === 'present' && p.sysctl_set) {
      L.push(
        'now=$(sysctl -n "$k" 2>/dev/null | tr -s "[:space:]" " " | sed "s/ $//") || true',
        'if [ "$now" != "$(printf %s "$v" | tr -s "[:space:]" " ")" ]; then',
        '  if chom_check; then chom_changed "would set $k to $v (now $now)"',
        `  else sysctl${ie} -w "$k=$v" >/dev/null 2>"$err" || chom_fail "sysctl -w $k=$v failed: $(cat "$err")"; chom_changed "set $k to $v (was $now)"; fi`,
        'fi',
      );
    }
    if (p.reload) {
      L.push(
        `if [ "$res" = changed ] && ! chom_check; then sysctl${ie} -p "$f" >/dev/null 2>"$err" || chom_fail "sysctl -p $f failed: $(cat "$err")"; fi`,
      );
    }
    L.push('chom_has_changed || chom_ok "$k is ' + (p.state === 'present' ? '$v' : 'absent') + ' in $f"');
    return L.join('\n') + '\n';
  },
});
