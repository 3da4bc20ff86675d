import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * The edit runs in perl (perl-base is Essential in Debian): Python's re as Ansible users write it
 * (\d, (?P<name>..), lookarounds, MULTILINE ^ and $) works unchanged; replacement backrefs \1,
 * \g<1>, \g<name> are expanded as Python's re.sub does. after/before bound the section edited,
 * as Ansible's DOTALL `after(?P<subsection>.*?)before` (first after, then the first before past it;
 * before alone: up to its last match). Prints "N" (replacements) or "nomatch".
 */
const PERL = String.raw`
use strict; use warnings;
my ($in, $out) = @ARGV;
open(my $fh, "<", $in) or die "cannot read: $!\n"; local $/; my $c = <$fh> // ""; close $fh;
my ($re, $rep, $af, $bf) = ($ENV{CHOM_R_RE}, $ENV{CHOM_R_REP}, $ENV{CHOM_R_AFTER}, $ENV{CHOM_R_BEFORE});
$re =~ s/\(\?P</(?</g; $re =~ s/\(\?P=(\w+)\)/\\k<$1>/g;
my ($s0, $len) = (0, length $c);
if ($af ne "") {
  if ($c =~ /$af/s) { $s0 = $+[0]; } else { print "nomatch\n"; exit 0; }
}
if ($bf ne "") {
  my $rest = substr($c, $s0); my $end = -1;
  if ($af ne "") { $end = $-[0] if $rest =~ /$bf/s; }
  else { while ($rest =~ /$bf/gs) { $end = $-[0]; pos($rest) = $-[0] + 1 if $+[0] == $-[0]; } }
  if ($end < 0) { print "nomatch\n"; exit 0; }
  $len = $end;
} else { $len = length($c) - $s0; }
my $sec = substr($c, $s0, $len);
sub expand {
  my ($m, $n) = @_; my $t = $rep;
  # Captures copied first: a match inside the replacement code would reset $1.
  $t =~ s{\\(?:g<(\w+)>|(\d{1,2})|(.))}{
    my ($g, $d, $c) = ($1, $2, $3);
    defined $g ? ($g =~ /^\d+$/ ? ($m->[$g] // "") : ($n->{$g} // "")) :
    defined $d ? ($m->[$d] // "") : ($c eq "n" ? "\n" : $c eq "t" ? "\t" : $c eq "\\" ? "\\" : "\\$c")
  }ges;
  return $t;
}
my $n = ($sec =~ s{$re}{ my @m = ($&, map { defined $-[$_] ? substr($sec, $-[$_], $+[$_] - $-[$_]) : undef } 1 .. $#-); expand(\@m, {%+}) }gme);
$n ||= 0;
substr($c, $s0, $len) = $sec;
open(my $o, ">", $out) or die "cannot write: $!\n"; print $o $c; close $o;
print "$n\n";
`;

/** Ansible's replace: every match of regexp in the file (or the after/before section) replaced. */
export default defineModule({
  name: 'replace',
  args: {
    path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
    regexp: { type: 'str', required: true },
    replace: { type: 'str', default: '' },
    after: { type: 'str', default: '' },
    before: { type: 'str', default: '' },
    backup: { type: 'bool', default: false },
    encoding: { type: 'str', default: 'utf-8' },
    mode: { type: 'mode' },
    owner: { type: 'id' },
    group: { type: 'id' },
  },
  compile: (p) => {
    if (p.regexp === '') throw new ModuleArgError('regexp cannot be empty', 'regexp');
    if (!/^utf-?8$/i.test(p.encoding))
      throw new ModuleArgError(`encoding ${p.encoding} is not supported (files are edited as UTF-8 bytes)`, 'encoding');
    const env = { RE: p.regexp, REP: p.replace, AFTER: p.after, BEFORE: p.before };
    return (
      [
        `# replace ${JSON.stringify(p.path)}`,
        `p=${quote(p.path)}; mode=${quote(p.mode ?? '')}; owner=${quote(p.owner ?? '')}; group=${quote(p.group ?? '')}`,
        'chom_pathv cur "$p"',
        'if [ -d "$cur" ]; then chom_fail "$p is a directory"; fi',
        'if ! chom_exists "$cur"; then chom_fail "Path $p does not exist !"; fi',
        'chom_tmpfilev new; chom_tmpfilev err',
        `n=$(${Object.entries(env)
          .map(([k, v]) => `CHOM_R_${k}=${quote(v)}`)
          .join(' ')} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "replace on $p: $(cat "$err")"`,
        'if [ "$n" != nomatch ] && [ "$n" -gt 0 ] && ! cmp -s "$cur" "$new"; then',
        `  chom_put_file "$p" "$new" "$mode" "$owner" "$group" ${p.backup ? 1 : 0} "$(chom_check && printf 'would replace' || printf 'replaced') $n occurrence(s) in $p"`,
        'else',
        '  chom_set_attrs "$p" "$mode" "$owner" "$group"',
        '  chom_has_changed || chom_ok "no replacement needed in $p"',
        'fi',
      ].join('\n') + '\n'
    );
  },
});
