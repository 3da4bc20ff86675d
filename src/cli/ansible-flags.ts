import type { Command } from 'commander';
import { InputError } from '../errors.js';

/**
 * ansible-playbook's flags on chom-play's commands, and the ones chom-play refuses (each with
 * what to use instead). Connection flags become lowest-precedence host variables
 * (inventory/defaults.ts), as in Ansible where an inventory's ansible_user beats -u.
 */
export const REFUSED_FLAGS: Record<string, string> = {
  '--force-handlers':
    'not supported: a failed host stops at the failed task; fix it and run again (notified handlers of changed tasks run on the next successful run only if the task changes again), or run the handler task with -t',
  '-M': 'chom-play does not run Ansible (Python) modules; its modules are built in (see README "Modules")',
  '--module-path': 'chom-play does not run Ansible (Python) modules; its modules are built in (see README "Modules")',
  '--scp-extra-args':
    'files travel over SFTP on the one ssh2 connection, not through scp; remove the flag (use --ssh-common-args for -o options)',
  '--sftp-extra-args':
    "files travel over ssh2's own SFTP client, not the sftp program; remove the flag (use --ssh-common-args for -o options)",
};

/** Runs before commander: a refused Ansible flag names its alternative instead of "unknown option". */
export function refuseAnsibleFlags(argv: string[]): void {
  for (const a of argv.slice(2)) {
    if (a === '--') break;
    const flag = a.startsWith('--') ? a.split('=')[0] : a;
    if (REFUSED_FLAGS[flag])
      throw new InputError(`${flag} (ansible-playbook) is not available in chom-play`, undefined, REFUSED_FLAGS[flag]);
  }
}

/** `-i a -i b`: one string option with one line per source (commander keeps a string). */
export function joinInventory(v: string, prev: string | undefined): string {
  return prev ? `${prev}\n${v}` : v;
}

const FLAG_COMMANDS = ['run', 'render', 'facts', 'rollback'];
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Adds the Ansible flags to the commands that connect to hosts or read vault-encrypted files. */
export function addAnsibleFlags(program: Command): void {
  for (const cmd of program.commands) {
    const name = cmd.name();
    if (!FLAG_COMMANDS.includes(name)) continue;
    const has = (long: string): boolean => cmd.options.some((o) => o.long === long);
    cmd
      .option('-u, --user <user>', 'connect as this user (ansible_user in the inventory wins, as in Ansible)')
      .option('--key-file, --private-key <file>', 'SSH private key (ansible_ssh_private_key_file wins)')
      .option('-k, --ask-pass', 'ask for the SSH password on the terminal')
      .option('--conn-pass-file, --connection-password-file <file>', 'file holding the SSH password')
      .option('-T, --timeout <seconds>', 'SSH connect timeout (default 10)')
      .option('-c, --connection <type>', 'ssh (also smart, paramiko) or local')
      .option(
        '--ssh-common-args <args>',
        'ssh options chom-play can honour: -o StrictHostKeyChecking=, UserKnownHostsFile=, ConnectTimeout=, Port=, User=, IdentityFile=, ProxyJump= (or -J), -p, -i, -l',
      )
      .option('--ssh-extra-args <args>', 'as --ssh-common-args')
      .option('--become-user <user>', 'root only: the script runs as root (other users: owner:/group: of modules, sudo -u in a command)')
      .option('--become-method <method>', 'sudo only')
      .option('-K, --ask-become-pass', "ask for the sudo password; it reaches sudo over the script's stdin, never a command line or record")
      .option('--become-pass-file, --become-password-file <file>', 'file holding the sudo password')
      .option('--vault-id <[label@]source>', 'vault password: file, executable script or "prompt" (repeatable)', collect, [])
      .option('--vault-pass-file, --vault-password-file <file>', 'vault password file or script (repeatable)', collect, [])
      .option('--ask-vault-password, --ask-vault-pass', 'ask for the vault password')
      .option('-J', 'same as --ask-vault-pass')
      .option('--step', 'ask before the run, task by task, which to run (y/N/c); declined tasks are skipped')
      .option('--flush-cache', 'accepted: chom-play keeps no fact cache (facts are gathered on every run)');
    if (!has('--become')) cmd.option('-b, --become', "run the script as root through sudo (a play's become: false still wins)");
    if (!has('--verbose')) cmd.option('-v, --verbose', 'more output (ignored settings of ansible.cfg, ...)');
    if (!has('--forks')) cmd.option('-f, --forks <n>', 'hosts in parallel', (v) => Number(v));
    cmd.option('--inventory-file <path>', 'same as -i (old Ansible spelling)', joinInventory);
  }
}

/** commander preAction hook (the work is loaded only when a command runs). */
export async function ansiblePreAction(_program: Command, action: Command): Promise<void> {
  // `lab`, `history`, `vault` never pay for loading the config and vault code.
  if (!FLAG_COMMANDS.includes(action.name()) || action.parent?.name() !== 'chom-play') return;
  const { applyAnsibleOptions } = await import('./ansible-apply.js');
  await applyAnsibleOptions(action);
}
