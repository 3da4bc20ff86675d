import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * Ansible's blockinfile algorithm in perl (Essential in Debian): the block sits between two marker
 * lines; an existing block (last BEGIN/END pair) is replaced in place, otherwise the block goes
 * after/before the last line matching insertafter/insertbefore (EOF by default, BOF allowed).
 * Prints "changed\tMSG\tWOULD" or "ok\tMSG\t".
 */
const PERL = String.raw`
use strict; use warnings;
my ($in, $out) = @ARGV;
sub E { my $v = $ENV{"CHOM_B_$_[0]"}; return defined $v && $v ne "" ? $v : undef; }
my ($state, $mb, $me, $ia, $ib) = (E("STATE"), $ENV{CHOM_B_MB}, $ENV{CHOM_B_ME}, E("IA"), E("IB"));
my $block = $ENV{CHOM_B_BLOCK} // "";
my $orig = "";
if (-e $in) { open(my $fh, "<", $in) or die "cannot read: $!\n"; local $/; $orig = <$fh> // ""; }
my @l = split /\r?\n/, $orig, -1;
pop @l if @l && $l[-1] eq "";
my ($n0, $n1);
for my $i (0 .. $#l) { $n0 = $i if $l[$i] eq $mb; $n1 = $i if $l[$i] eq $me; }
my @b = ();
if ($state eq "present" && $block ne "") { my @bl = split /\r?\n/, $block, -1; pop @bl if @bl && $bl[-1] eq ""; @b = ($mb, @bl, $me); }
my $had = defined $n0 && defined $n1;
if (!$had) {
  my $re = defined $ia && $ia ne "EOF" ? qr/$ia/ : defined $ib && $ib ne "BOF" ? qr/$ib/ : undef;
  $n0 = undef;
  if (defined $re) {
    for my $i (0 .. $#l) { $n0 = $i if $l[$i] =~ $re; }
    if (!defined $n0) { $n0 = @l; } elsif (defined $ia) { $n0++; }
  } elsif (defined $ib) { $n0 = 0; } else { $n0 = @l; }
} elsif ($n0 < $n1) { splice @l, $n0, $n1 - $n0 + 1; }
else { splice @l, $n1, $n0 - $n1 + 1; $n0 = $n1; }
splice @l, $n0, 0, @b;
my $new = @l ? join("\n", @l) . "\n" : "";
open(my $fh, ">", $out) or die "cannot write: $!\n"; print $fh $new; close $fh;
if ($new eq $orig) { print "ok\t", ($state eq "present" ? "block already present" : "no block to remove"), "\t\n"; }
elsif ($state eq "present") { print $had ? "changed\tblock updated\twould update the block\n" : "changed\tblock inserted\twould insert the block\n"; }
else { print "changed\tblock removed\twould remove the block\n"; }
`;

const args = {
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
  block: { type: 'str', default: '', aliases: ['content'] },
  marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK' },
  marker_begin: { type: 'str', default: 'BEGIN' },
  marker_end: { type: 'str', default: 'END' },
  insertafter: { type: 'str' },
  insertbefore: { type: 'str' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  create: { type: 'bool', default: false },
  backup: { type: 'bool', default: false },
  owner: { type: 'id' },
  group: { type: 'id' },
  mode: { type: 'mode' },
} as const;

function compile(p: Params<typeof args>): string {
  const { path, state, marker, create } = p;
  const mb = marker.replace('{mark}', p.marker_begin);
  const me = marker.replace('{mark}', p.marker_end);
  if (/[\r\n]/.test(marker + mb + me)) throw new ModuleArgError('marker must be a single line', 'marker');
  if (mb === me) throw new ModuleArgError('the begin and end markers are the same line: put {mark} in marker', 'marker');
  const env = {
    STATE: state,
    BLOCK: p.block,
    MB: mb,
    ME: me,
    IA: p.insertafter ?? '',
    IB: p.insertbefore ?? '',
  };
  const L = [
    `# blockinfile ${JSON.stringify(path)} state=${state}`,
    `p=${quote(path)}; mode=${quote(p.mode ?? '')}; owner=${quote(p.owner ?? '')}; group=${quote(p.group ?? '')}`,
    'chom_pathv cur "$p"',
    'if [ -d "$cur" ]; then chom_fail "$p is a directory"; fi',
    'if ! chom_exists "$cur"; then',
    state === 'absent'
      ? '  chom_ok "$p does not exist: no block to remove"; return 0'
      : create
        ? '  cur=/dev/null'
        : '  chom_fail "$p does not exist (create: yes creates it)"',
    'fi',
    'chom_tmpfilev new; chom_tmpfilev err',
    `res=$(${Object.entries(env)
      .map(([k, v]) => `CHOM_B_${k}=${quote(v)}`)
      .join(' ')} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "blockinfile on $p: $(cat "$err")"`,
    'IFS=$\'\\t\' read -r what msg would <<<"$res"; if chom_check && [ "$what" = changed ]; then msg=$would; fi',
    'if [ "$what" = changed ]; then',
    `  chom_put_file "$p" "$new" "$mode" "$owner" "$group" ${p.backup ? 1 : 0} "$msg in $p"`,
    'else',
    '  chom_set_attrs "$p" "$mode" "$owner" "$group"',
    '  chom_has_changed || chom_ok "$msg in $p"',
    'fi',
  ];
  return L.join('\n') + '\n';
}

export default defineModule({ name: 'blockinfile', args, mutuallyExclusive: [['insertafter', 'insertbefore']], compile });
