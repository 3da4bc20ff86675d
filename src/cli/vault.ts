import type { Command } from 'commander';

/** `chom-play vault ...`: ansible-vault's subcommands, same formats (the implementation loads lazily). */
export function registerVault(program: Command): void {
  const vault = program
    .command('vault')
    .description('encrypt, decrypt, view, edit files and strings with Ansible Vault (interchangeable with ansible-vault)');
  const pw = (c: Command): Command =>
    c
      .option('--vault-id <[label@]source>', 'a vault password: file, executable script, or "prompt" (repeatable)', collect, [])
      .option(
        '--vault-pass-file, --vault-password-file <file>',
        'file holding the vault password, or a script printing it (repeatable)',
        collect,
        [],
      )
      .option('-J, --ask-vault-pass', 'ask for the vault password on the terminal');
  const act =
    (name: string) =>
    async (...args: unknown[]) => {
      const { vaultAction } = await import('./vault-actions.js');
      const cmd = args[args.length - 1] as Command;
      process.exitCode = await vaultAction(name, cmd.args, cmd.opts());
    };
  pw(vault.command('encrypt').description('encrypt files in place (or to --output)').argument('<files...>'))
    .option('--output <file>', 'write here instead of in place ("-" = stdout)')
    .option('--encrypt-vault-id <id>', 'the vault id whose password encrypts (1.2 format)')
    .action(act('encrypt'));
  pw(vault.command('decrypt').description('decrypt files in place (or to --output)').argument('<files...>'))
    .option('--output <file>', 'write here instead of in place ("-" = stdout)')
    .action(act('decrypt'));
  pw(vault.command('view').description('print decrypted files').argument('<files...>')).action(act('view'));
  pw(vault.command('edit').description('decrypt to a private temporary file, open $EDITOR, encrypt again').argument('<file>')).action(
    act('edit'),
  );
  pw(
    vault
      .command('encrypt_string')
      .alias('encrypt-string')
      .description('encrypt a value for an inline `!vault` in YAML')
      .argument('[strings...]'),
  )
    .option('-n, --name <name>', 'variable name(s) for the output (repeatable)', collect, [])
    .option('-p, --prompt', 'ask for the string on the terminal')
    .option('--stdin-name <name>', 'read the string from stdin and name it')
    .option('--encrypt-vault-id <id>', 'the vault id whose password encrypts (1.2 format)')
    .action(act('encrypt_string'));
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}
