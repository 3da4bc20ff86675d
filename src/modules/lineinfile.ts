import { quote } from '../shell/quote.js';
import { defineModule, type Params } from './spec.js';
import { ModuleArgError } from './types.js';
import { validateCommand } from './copy.js';

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

const args = {
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
  regexp: { type: 'str', aliases: ['regex'] },
  search_string: { type: 'str' },
  line: { type: 'str', aliases: ['value'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  insertafter: { type: 'str' },
  insertbefore: { type: 'str' },
  create: { type: 'bool', default: false },
  backrefs: { type: 'bool', default: false },
  firstmatch: { type: 'bool', default: false },
  backup: { type: 'bool', default: false },
  owner: { type: 'id' },
  group: { type: 'id' },
  mode: { type: 'mode' },
  validate: { type: 'str' },
} as const;

/** Ansible's lineinfile: make sure one line is present (replacing the last regexp match) or absent. */
function compile(p: Params<typeof args>): string {
  const { path, state, backrefs } = p;
  const regexp = p.regexp ?? '';
  const search = p.search_string ?? '';
  const line = p.line ?? '';
  if (line.includes('\n') && !backrefs)
    throw new ModuleArgError('line cannot contain a newline (use blockinfile for several lines)', 'line');
  const env = {
    STATE: state,
    REGEXP: regexp,
    SEARCH: search,
    LINE: line,
    IA: p.insertafter ?? '',
    IB: p.insertbefore ?? '',
    BACKREFS: backrefs ? '1' : '',
    FIRSTMATCH: p.firstmatch ? '1' : '',
  };
  const L = [
    `# lineinfile ${JSON.stringify(path)} state=${state}`,
    `p=${quote(path)}; mode=${quote(p.mode ?? '')}; owner=${quote(p.owner ?? '')}; group=${quote(p.group ?? '')}`,
    'chom_pathv cur "$p"',
    'if [ -d "$cur" ]; then chom_fail "$p is a directory"; fi',
    'if ! chom_exists "$cur"; then',
    state === 'absent'
      ? '  chom_ok "$p does not exist: no line to remove"; return 0'
      : p.create
        ? '  cur=/dev/null'
        : '  chom_fail "$p does not exist (create: yes creates it)"',
    'fi',
  ];
  const quick = backrefs ? undefined : quickShape(regexp, search);
  if (quick) {
    // The no-change pass decides in builtins when it can (chom_lineinfile_ok); perl otherwise.
    L.push(
      `if chom_lineinfile_ok "$cur" ${quote(state)} ${quick.kind} ${quote(quick.pattern)} ${quote(line)}; then`,
      '  chom_set_attrs "$p" "$mode" "$owner" "$group"',
      `  chom_has_changed || chom_ok "${state === 'absent' ? 'no line matches' : 'line already present'} in $p"; return 0`,
      'fi',
    );
  }
  L.push(
    'chom_tmpfilev new; chom_tmpfilev err',
    `res=$(${Object.entries(env)
      .map(([k, v]) => `CHOM_L_${k}=${quote(v)}`)
      .join(' ')} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "lineinfile on $p: $(cat "$err")"`,
    'IFS=$\'\\t\' read -r what msg would <<<"$res"; if chom_check && [ "$what" = changed ]; then msg=$would; fi',
    'if [[ $res == changed* ]]; then',
    ...(p.validate === undefined
      ? []
      : [
          // validate: the new content is checked (%s = its temp file) before it replaces the file.
          '  want=$new',
          `  if ! chom_check && ! vout=$(${validateCommand(p.validate)} </dev/null 2>&1); then`,
          '    printf \'%s\\n\' "$vout" >&2',
          `    chom_fail "validation of the new content failed: $(printf '%s' "$vout" | tail -n 5) ($p left as it was)"`,
          '  fi',
        ]),
    '  chom_put_file "$p" "$new" "$mode" "$owner" "$group" ' + (p.backup ? '1' : '0') + ' "$msg in $p"',
    'else',
    '  chom_set_attrs "$p" "$mode" "$owner" "$group"',
    '  chom_has_changed || chom_ok "$msg in $p"',
    'fi',
  );
  return L.join('\n') + '\n';
}

/**
 * The shapes chom_lineinfile_ok decides without perl: a regexp made of literal characters only
 * (a prefix when anchored with ^, else a substring), a search_string, or neither (the line
 * itself). Any other regexp goes to perl.
 */
function quickShape(regexp: string, search: string): { kind: 'prefix' | 'substr' | 'line'; pattern: string } | undefined {
  if (regexp !== '') {
    const m = /^(\^?)([A-Za-z0-9_=:,/ -]+)$/.exec(regexp);
    if (!m) return undefined;
    return { kind: m[1] ? 'prefix' : 'substr', pattern: m[2] };
  }
  if (search !== '') return { kind: 'substr', pattern: search };
  return { kind: 'line', pattern: '' };
}

export default defineModule({
  name: 'lineinfile',
  args,
  mutuallyExclusive: [
    ['regexp', 'search_string'],
    ['insertafter', 'insertbefore'],
  ],
  requiredIf: [
    { arg: 'state', is: 'present', then: ['line'] },
    { arg: 'state', is: 'absent', then: ['regexp', 'search_string', 'line'], anyOf: true },
    { arg: 'backrefs', is: true, then: ['regexp'] },
  ],
  compile,
});
