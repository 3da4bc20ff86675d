import { quote } from '../shell/quote.js';
import { defineModule } from './spec.js';
import { ModuleArgError } from './types.js';

/**
 * The edit, as Ansible's cron module does it (ansible/modules/cron.py): a job is the line after
 * its "#Ansible: NAME" marker; a new one is appended; an identical unmarked line gets the marker;
 * the result is the lines joined by newlines with one trailing newline. Prints "changed" or "ok".
 */
const PERL = String.raw`
use strict; use warnings;
my ($in, $out) = @ARGV;
my ($name, $job, $state) = ($ENV{CHOM_C_NAME}, $ENV{CHOM_C_JOB}, $ENV{CHOM_C_STATE});
my $c = ""; if (-e $in) { open(my $fh, "<", $in) or die "cannot read: $!\n"; local $/; $c = <$fh> // ""; close $fh; }
my @l = split /\r?\n/, $c, -1; pop @l if @l && $l[-1] eq "";
my $marker = "#Ansible: $name"; my $changed = 0; my $at = -1;
for my $i (0 .. $#l - 1) { if ($l[$i] eq $marker) { $at = $i; last; } }
if ($state eq "present") {
  if ($at < 0) {
    for my $i (0 .. $#l) { if ($l[$i] eq $job && ($i == 0 || $l[$i - 1] !~ /^#Ansible: /)) { splice(@l, $i, 0, $marker); $at = $i; $changed = 1; last; } }
  }
  if ($at < 0) { push @l, $marker, $job; $changed = 1; }
  elsif ($l[$at + 1] ne $job) { $l[$at + 1] = $job; $changed = 1; }
} elsif ($at >= 0) { splice(@l, $at, 2); $changed = 1; }
$changed = 1 if !$changed && $c ne "" && $c !~ /[\r\n]\z/;
my $r = join("\n", @l); $r =~ s/[\r\n]+\z//; $r .= "\n" if $r ne "";
open(my $o, ">", $out) or die "cannot write: $!\n"; print $o $r; close $o;
print(($changed ? "changed" : "ok") . "\t" . (scalar(grep { /\S/ } @l) ? "nonempty" : "empty") . "\n");
`;

const TIME = { type: 'str', default: '*' } as const;

/** Ansible's cron: one named job in a user's crontab (through crontab) or in a cron_file. */
export default defineModule({
  name: 'cron',
  args: {
    name: { type: 'str', required: true },
    job: { type: 'str', aliases: ['value'] },
    state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
    minute: TIME,
    hour: TIME,
    day: { type: 'str', default: '*', aliases: ['dom'] },
    month: TIME,
    weekday: { type: 'str', default: '*', aliases: ['dow'] },
    special_time: { type: 'str', choices: ['annually', 'daily', 'hourly', 'monthly', 'reboot', 'weekly', 'yearly'] },
    user: { type: 'str' },
    cron_file: { type: 'str' },
    disabled: { type: 'bool', default: false },
  },
  compile: (p) => {
    if (p.state === 'present' && (p.job === undefined || p.job === '')) throw new ModuleArgError('state: present needs job', 'job');
    if (/[\r\n]/.test(p.name) || /[\r\n]/.test((p.job ?? '').replace(/^[\r\n]+|[\r\n]+$/g, '')))
      throw new ModuleArgError('name and job are single lines', 'job');
    if (p.cron_file !== undefined && p.user === undefined)
      throw new ModuleArgError('cron_file needs user (the user the job runs as)', 'user');
    if (p.user !== undefined && !/^[a-z_][a-z0-9_.-]*\$?$/i.test(p.user))
      throw new ModuleArgError(`user "${p.user}" is not a valid user name`, 'user');
    const job = (p.job ?? '').replace(/^[\r\n]+|[\r\n]+$/g, '');
    const pre = p.disabled ? '#' : '';
    const who = p.cron_file !== undefined ? ` ${p.user}` : '';
    const line = p.special_time
      ? `${pre}@${p.special_time}${who} ${job}`
      : `${pre}${p.minute} ${p.hour} ${p.day} ${p.month} ${p.weekday}${who} ${job}`;
    const file = p.cron_file === undefined ? '' : p.cron_file.startsWith('/') ? p.cron_file : `/etc/cron.d/${p.cron_file}`;
    if (file.includes('\n') || (p.cron_file !== undefined && !p.cron_file.startsWith('/') && p.cron_file.includes('/')))
      throw new ModuleArgError('cron_file is a name under /etc/cron.d or an absolute path', 'cron_file');
    const env = `CHOM_C_NAME=${quote(p.name)} CHOM_C_JOB=${quote(line)} CHOM_C_STATE=${quote(p.state)}`;
    const L = [
      `# cron ${JSON.stringify(p.name)} ${p.state}`,
      // Ansible needs the crontab command even for cron_file: so does this module, with the same words.
      'command -v crontab >/dev/null || chom_fail "Failed to find required executable \\"crontab\\" (install the cron package)"',
      'new=$(chom_tmpfile); err=$(chom_tmpfile)',
    ];
    if (file !== '') {
      L.push(
        `p=${quote(file)}; cur=$(chom_path "$p"); [ -e "$cur" ] || cur=/dev/null`,
        `res=$(${env} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "cron: $(cat "$err")"`,
        'case $res in',
        '  changed*nonempty) chom_put_file "$p" "$new" "" "" "" 0 "$(chom_check && printf "would update" || printf "updated") job $(printf %s ' +
          quote(p.name) +
          ') in $p" ;;',
        // Ansible removes a cron_file left without any job.
        '  changed*) if [ "$cur" != /dev/null ]; then chom_remove "$p"; fi ;;',
        `  *) chom_ok ${quote(`job "${p.name}" is ${p.state} in ${file}`)} ;;`,
        'esac',
      );
    } else {
      const u = p.user ?? '';
      L.push(
        `u=${quote(u)}; [ -n "$u" ] || u=$(id -un); cur=$(chom_tmpfile)`,
        // crontab -l prints nothing useful for a user without a crontab (exit 1): an empty one.
        'crontab -u "$u" -l >"$cur" 2>/dev/null || : >"$cur"',
        `res=$(${env} perl -e ${quote(PERL)} -- "$cur" "$new" 2>"$err") || chom_fail "cron: $(cat "$err")"`,
        'if [[ $res == changed* ]]; then',
        `  if chom_check; then chom_changed ${quote(`would ${p.state === 'present' ? 'set' : 'remove'} job "${p.name}"`)}" in the crontab of $u"`,
        `  else crontab -u "$u" "$new" 2>"$err" || chom_fail "crontab -u $u failed: $(cat "$err")"; chom_changed ${quote(`${p.state === 'present' ? 'set' : 'removed'} job "${p.name}"`)}" in the crontab of $u"; fi`,
        `else chom_ok ${quote(`job "${p.name}" is ${p.state}`)}" in the crontab of $u"; fi`,
      );
    }
    return L.join('\n') + '\n';
  },
});
