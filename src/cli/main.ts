import { Command, Option } from 'commander';
import { ChomError } from '../errors.js';
import { registerVault } from './vault.js';
import { quietOnClosedPipe } from './epipe.js';
import { addAnsibleFlags, ansiblePreAction, joinInventory, refuseAnsibleFlags } from './ansible-flags.js';
import { phaseDone } from '../run/timings.js';

/**
 * Command wiring only. Each action loads its implementation lazily, so `chom-play lab status`
 * never pays for ssh2 or handlebars and the CLI starts fast.
 */
export function buildProgram(): Command {
  const program = new Command('chom-play')
    .description('Ansible-style playbooks compiled into one idempotent bash script per host, applied over SSH in parallel')
    .version('0.1.0')
    .showHelpAfterError('(run chom-play --help for usage)');

  program
    .command('run', { isDefault: true })
    .description('apply a playbook (the default command: `chom-play site.yml -i inventory/prod`)')
    .argument('<playbook>', 'playbook file; a name not found here is looked up in playbooks/')
    .option(
      '-i, --inventory <path>',
      'inventory: directory, INI or YAML file, or host list "a,b," (repeatable; default: ansible.cfg)',
      joinInventory,
    )
    .option('-l, --limit <pattern>', 'only hosts matching this pattern')
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated)', collectList, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated)', collectList, [])
    .option('-e, --extra-vars <vars>', 'key=value, YAML/JSON, or @file.yml (repeatable; highest precedence)', collect, [])
    .option('-C, --check', 'dry run: change nothing, report what would change')
    .option('-D, --diff', 'show a unified diff of every file change')
    .option('-f, --forks <n>', 'hosts in parallel', toInt, 50)
    .option('--env-file <path>', 'secrets file (default: .env in the current directory)')
    .option('--accept-new-host-keys', 'trust and record host keys not yet in known_hosts (never a changed key)')
    .option('--no-write-facts', 'do not write detected specs (cpu, memory_mb, disk_gb) back into the inventory')
    .option('--syntax-check', 'validate the playbook, roles and inventory, then exit')
    .option('--list-hosts', 'list the hosts each play would run on, then exit')
    .option('--list-tasks', 'list the tasks that would run (after --tags), then exit')
    .option('--list-tags', 'list all tags, then exit')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-v, --verbose', 'also show messages of ok tasks')
    .option('--resume [run-id]', "continue the last failed or interrupted run of this playbook from each host's unfinished task")
    .option('--start-at-task <name>', 'start every host at the first task with this name (`*` matches anything)')
    .option('--task-timeout <seconds>', 'kill any task running longer (its own timeout: wins)', toInt)
    .action(async (playbook: string, opts) => {
      armExitGuard();
      phaseDone('start-up (node, CLI modules, arguments)');
      const { runCommand } = await import('./run.js');
      phaseDone('load the run command (ssh2, templates, ajv)');
      process.exitCode = await runCommand(playbook, opts);
    });

  program
    .command('render')
    .description('print the exact bash script that would run on one host')
    .argument('<playbook>', 'playbook file')
    .option(
      '-i, --inventory <path>',
      'inventory: directory, INI or YAML file, or host list "a,b," (repeatable; default: ansible.cfg)',
      joinInventory,
    )
    .requiredOption('-H, --host <name>', 'the host whose script to print')
    .option('-t, --tags <tags>', 'only tasks with these tags', collectList, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags', collectList, [])
    .option('-e, --extra-vars <vars>', 'as for run', collect, [])
    .option('-C, --check', 'render the check-mode script')
    .option('-D, --diff', 'render with diffs on')
    .option('--env-file <path>', 'secrets file (default: .env)')
    .option('--no-facts', 'do not connect to gather facts (facts.* are then undefined)')
    .option('--show-secrets', 'print secret values as they are (the script is then runnable by hand)')
    .option('--accept-new-host-keys', 'as for run')
    .action(async (playbook: string, opts) => {
      armExitGuard();
      const { renderCommand } = await import('./render.js');
      process.exitCode = await renderCommand(playbook, opts);
    });

  program
    .command('facts')
    .description('gather facts from hosts, write their specs back into the inventory, print a table')
    .option(
      '-i, --inventory <path>',
      'inventory: directory, INI or YAML file, or host list "a,b," (repeatable; default: ansible.cfg)',
      joinInventory,
    )
    .option('-l, --limit <pattern>', 'only hosts matching this pattern', 'all')
    .option('--json', 'print the full facts as JSON')
    .option('--no-write', 'do not write specs back into the inventory')
    .option('-C, --check', 'say what would be written, write nothing')
    .option('-f, --forks <n>', 'hosts in parallel', toInt, 50)
    .option('--accept-new-host-keys', 'as for run')
    .action(async (opts) => {
      armExitGuard();
      const { factsCommand } = await import('./facts.js');
      process.exitCode = await factsCommand(opts);
    });

  program
    .command('rollback')
    .description("undo a run's changes on each host from its journal, newest first (default: each host's latest run)")
    .option(
      '-i, --inventory <path>',
      'inventory: directory, INI or YAML file, or host list "a,b," (repeatable; default: ansible.cfg)',
      joinInventory,
    )
    .option('--run <run-id>', 'the run to undo (chom-play history lists them)')
    .option('-l, --limit <pattern>', 'only hosts matching this pattern', 'all')
    .option('-C, --check', 'say what would be undone, change nothing')
    .option('--rollback-packages', 'also purge packages the run installed')
    .option('-b, --become', 'run the rollback as root through sudo -n')
    .option('-f, --forks <n>', 'hosts in parallel', toInt, 50)
    .option('--accept-new-host-keys', 'as for run')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts) => {
      armExitGuard();
      const { rollbackCommand } = await import('./rollback.js');
      process.exitCode = await rollbackCommand(opts);
    });

  program
    .command('history')
    .description('list the runs recorded in .chom/runs (newest last), or show one run')
    .argument('[run-id]', 'show this run: who, when, hashes, per host and per task results')
    .option('--json', 'print JSON')
    .option('-n, --limit <n>', 'show only the last N runs', toInt)
    .action(async (id: string | undefined, opts) => {
      const { historyCommand } = await import('./history.js');
      process.exitCode = historyCommand(id, opts);
    });

  registerVault(program);
  addAnsibleFlags(program);
  program.hook('preAction', ansiblePreAction);
  const lab = program.command('lab').description('disposable real Debian test hosts on this machine (root)');
  lab.hook('preAction', () => {});
  return program;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}
function collectList(v: string, prev: string[]): string[] {
  return [
    ...prev,
    ...v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}
function toInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a positive integer: ${v}`);
  return n;
}

/** The only place that turns errors into text and exit codes. */
export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  const program = buildProgram();
  const { registerLab } = await import('./lab.js');
  registerLab(program.commands.find((c) => c.name() === 'lab')!);
  try {
    refuseAnsibleFlags(argv);
    await program.parseAsync(argv);
  } catch (err) {
    exitGuard();
    if (err instanceof ChomError) {
      process.stderr.write(`ERROR: ${err.toString().replace(/^[A-Za-z]*Error: /, '')}\n`);
      process.exitCode = err.exitCode;
    } else {
      process.stderr.write(`internal error (please report): ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
  if (guardArmed) exitGuard();
}

let guardArmed = false;
/** Commands that connect to hosts arm the guard: once their result is known, nothing may keep the process. */
function armExitGuard(): void {
  guardArmed = true;
}

/**
 * Safety net behind withSessions (which closes every connection): if anything still holds
 * the event loop 2 s after the exit code is known (a connection attempt to a dead host, a
 * socket that never closes), exit with that code anyway. Unref'd: it never delays a clean exit.
 */
function exitGuard(): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}
