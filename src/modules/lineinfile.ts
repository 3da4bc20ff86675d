import { quote } from '../shell/quote.js';
import { BOOL, MODE, NAME_OR_ID, STR, bool, mode, optStr, pathArg, principal } from './args.js';
import { ModuleArgError, type ModuleDef } from './types.js';

/**
 * The edit itself runs in perl (perl-base is Essential in Debian, so it is on every host):
 * regular expressions as Ansible users write them for Python's re (\d, (?P<name>..), lookarounds)
 * work unchanged. Reads $ARGV[0], writes the result to $ARGV[1], prints "changed\tMSG" or "ok\tMSG".
 * Lines are compared without their line ending; search, like Python's re.search.
 */
const PERL = String.raw`
use strict; use warnings;
my ($in, $out) = @ARGV;
sub E { my $v = $ENV{"CHOM_L_$_[0]"}; return defined $v && $v ne "" ? $v : undef; }
my ($state, $line, $search, $ia, $ib) = (E("STATE"), $ENV{CHOM_L_LINE}, E("SEARCH"), E("IA"), E("IB"));
my $re = defined E("REGEXP") ? qr/$ENV{CHOM_L_REGEXP}/ : undef;
my ($backrefs, $first) = (E("BACKREFS"), E("FIRSTMATCH"));
my @l;
if (-e $in) { open(my $fh, "<", $in) or die "cannot read: $!\n"; local $/; my $c = <$fh> // ""; @l = $c =~ /[^\n]*\n|[^\n]+/g; }
sub body { my $s = shift; $s =~ s/\r?\n\z//; return $s; }
sub eol { return $_[0] =~ /(\r?\n)\z/ ? $1 : ""; }
sub hit { my $s = body(shift); return defined $re ? $s =~ $re : defined $search ? index($s, $search) >= 0 : $s eq $line; }
sub expand {
  my ($t, $m, $n) = @_;
  $t =~ s{\\(?:g<(\w+)>|(\d{1,2})|(.))}{
    defined $1 ? ($1 =~ /^\d+$/ ? ($m->[$1] // "") : ($n->{$1} // "")) :
    defined $2 ? ($m->[$2] // "") : ($3 eq "n" ? "\n" : $3 eq "t" ? "\t" : $3 eq "\\" ? "\\" : "\\$3")
  }ges;
  return $t;
}
sub done { my ($what, $msg, $would) = @_; open(my $fh, ">", $out) or die "cannot write: $!\n"; print $fh @l; close $fh; print "$what\t$msg\t", $would // $msg, "\n"; exit 0; }
if ($state eq "absent") {
  my $n0 = @l; @l = grep { !hit($_) } @l; my $n = $n0 - @l;
  done($n ? "changed" : "ok", $n ? "$n line(s) removed" : "no line matches", "would remove $n line(s)");
}
my ($idx, $ins) = (-1, -1);
my $insre = defined $ia && $ia ne "EOF" && $ia ne "BOF" ? qr/$ia/ : defined $ib && $ib ne "BOF" ? qr/$ib/ : undef;
for my $i (0 .. $#l) {
  if (hit($l[$i])) { $idx = $i; }
  elsif (defined $insre && $ins < 0 || defined $insre && !$first) {
    if (body($l[$i]) =~ $insre) { $ins = defined $ia ? $i + 1 : $i; }
  }
}
if ($idx >= 0) {
  my $new = $line;
  if ($backrefs) { body($l[$idx]) =~ $re; $new = expand($line, [$&, @{^CAPTURE}], {%+}); }
  if (body($l[$idx]) eq $new) { done("ok", "line already present"); }
  $l[$idx] = $new . (eol($l[$idx]) || "\n");
  done("changed", "line replaced", "would replace a line");
}
done("ok", "regexp matches no line: nothing to change (backrefs)") if $backrefs;
if ((defined $re || defined $search) && grep { body($_) eq $line } @l) { done("ok", "line already present"); }
$l[-1] .= "\n" if @l && eol($l[-1]) eq "";
if ((defined $ib && $ib eq "BOF") || (defined $ia && $ia eq "BOF")) { unshift @l, "$line\n"; }
elsif ($ins < 0) { push @l, "$line\n"; }
else { splice @l, $ins, 0, "$line\n"; }
done("changed", "line added", "would add the line");
`;

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    path: STR,
    dest: STR,
    destfile: STR,
    name: STR,
    regexp: STR,
    regex: STR,
    search_string: STR,
    line: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    value: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
    state: { enum: ['present', 'absent'] },
    insertafter: STR,
    insertbefore: STR,
    create: BOOL,
    backrefs: BOOL,
    firstmatch: BOOL,
    backup: BOOL,
    owner: NAME_OR_ID,
    group: NAME_OR_ID,
    mode: MODE,
  },
};

/** Ansible's lineinfile: make sure one line is present (replacing the last regexp match) or absent. */
function compile(args: Record<string, unknown>): string {
  const path = pathArg(args, ['path', 'dest', 'destfile', 'name']);
  const state = optStr(args.state) || 'present';
  const regexp = optStr(args.regexp ?? args.regex);
  const search = optStr(args.search_string);
  const hasLine = args.line !== undefined || args.value !== undefined;
  const line = optStr(args.line ?? args.value);
  const backrefs = bool(args.backrefs, false);
  if (regexp !== '' && search !== '') throw new ModuleArgError('regexp and search_string cannot be used together', 'regexp');
  if (args.insertafter !== undefined && args.insertbefore !== undefined) throw new ModuleArgError('insertafter and insertbefore cannot be used together', 'insertafter');
  if (state === 'present' && !hasLine) throw new ModuleArgError('state: present needs line', 'line');
  if (state === 'absent' && regexp === '' && search === '' && !hasLine) throw new ModuleArgError('state: absent needs regexp, search_string or line', 'regexp');
  if (backrefs && regexp === '') throw new ModuleArgError('backrefs: yes needs regexp', 'backrefs');
  if (line.includes('\n') && !backrefs) throw new ModuleArgError('line cannot contain a newline (use blockinfile for several lines)', 'line');
  const create = bool(args.create, false);
  const env = {
    STATE: state,
    REGEXP: regexp,
    SEARCH: search,
    LINE: line,
    IA: optStr(args.insertafter),
    IB: optStr(args.insertbefore),
    BACKREFS: backrefs ? '1' : '',
    FIRSTMATCH: bool(args.firstmatch, false) ? '1' : '',
  };
  const L = [
    `# lineinfile ${JSON.stringify(path)} state=${state}`,
    `p=${quote(path)}; mode=${quote(mode(args.mode))}; owner=${quote(principal(args.owner, 'owner'))}; group=${quote(principal(args.group, 'group'))}`,
    'cur=$(chom_path "$p")',
    'if [ -d "$cur" ]; then chom_fail "$p is a directory"; fi',
    'if ! chom_exists "$cur"; then',
    state === 'absent'
      ? '  chom_ok "$p does not exist: no line to remove"; return 0'
      : create
        ? '  cur=/dev/null'
        : '  chom_fail "$p does not exist (create: yes creates it)"',
    'fi',
    'new=$(chom_tmpfile); err=$(chom_tmpfile)',
    `res=$(${Object.entries(env).map(([k, v]) => `CHOM_L_${k}=${quote(v)}`).join(' ')} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "lineinfile on $p: $(cat "$err")"`,
    'IFS=$\'\\t\' read -r what msg would <<<"$res"; if chom_check && [ "$what" = changed ]; then msg=$would; fi',
    'if [[ $res == changed* ]]; then',
    '  chom_put_file "$p" "$new" "$mode" "$owner" "$group" ' + (bool(args.backup, false) ? '1' : '0') + ' "$msg in $p"',
    'else',
    '  chom_set_attrs "$p" "$mode" "$owner" "$group"',
    '  chom_has_changed || chom_ok "$msg in $p"',
    'fi',
  ];
  return L.join('\n') + '\n';
}

const lineinfile: ModuleDef = { name: 'lineinfile', schema, compile };
export default lineinfile;
