import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { resolveConfig, setActiveConfig } from '../config/index.js';
import { setConnectionDefaults } from '../inventory/defaults.js';
import { setBecomePassword } from '../transport/become.js';
import { parseJump, setJumpHost } from '../transport/jump.js';
import { markSecret } from '../vault/keyring.js';
import { loadVaultPasswords } from '../vault/passwords.js';
import { promptHidden } from '../vault/prompt.js';
import { sshArgsToVars } from '../inventory/ssh-args.js';
import { setStepMode } from './step.js';

/** Loaded lazily by the preAction hook (ansible-flags.ts): config, vault, prompts. */
interface FlagOpts {
  inventory?: string;
  inventoryFile?: string;
  user?: string;
  privateKey?: string;
  askPass?: boolean;
  connectionPasswordFile?: string;
  timeout?: string;
  connection?: string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  becomePasswordFile?: string;
  vaultId?: string[];
  vaultPasswordFile?: string[];
  askVaultPass?: boolean;
  J?: boolean;
  step?: boolean;
  verbose?: boolean;
  acceptNewHostKeys?: boolean;
}

/** commander preAction hook: ansible.cfg, ANSIBLE_*, the flags above -> what the loaders read. */
export async function applyAnsibleOptions(cmd: Command): Promise<void> {
  if (!['run', 'render', 'facts', 'rollback'].includes(cmd.name())) return;
  const cwd = process.cwd();
  const o = cmd.opts<FlagOpts>();
  const cfg = resolveConfig(cwd);
  setActiveConfig(cfg);
  if (o.verbose) {
    if (cfg.file) process.stderr.write(`config file = ${cfg.file}\n`);
    for (const n of cfg.notes) process.stderr.write(`note: ${n}\n`);
  }
  const v = cfg.values;
  setStepMode(Boolean(o.step) && cmd.name() === 'run');

  if (o.inventoryFile) cmd.setOptionValue('inventory', o.inventory ? `${o.inventory}\n${o.inventoryFile}` : o.inventoryFile);
  if (!cmd.getOptionValue('inventory')) {
    const fromCfg = v.inventory?.join('\n') ?? (existsSync('/etc/ansible/hosts') ? '/etc/ansible/hosts' : undefined);
    if (!fromCfg)
      throw new InputError(
        'no inventory given',
        undefined,
        'pass -i PATH (directory, INI or YAML file, or "host1,host2,"), or set inventory in ansible.cfg [defaults] or ANSIBLE_INVENTORY',
      );
    cmd.setOptionValue('inventory', fromCfg);
  }
  if (v.forks && cmd.getOptionValueSource('forks') !== 'cli') cmd.setOptionValue('forks', v.forks);

  const d: Record<string, unknown> = {};
  const user = o.user ?? v.remote_user;
  if (user) d.ansible_user = user;
  const key = o.privateKey ? abs(o.privateKey, cwd) : v.private_key_file;
  if (key) d.ansible_ssh_private_key_file = key;
  const timeout = o.timeout ?? v.timeout;
  if (timeout !== undefined) {
    const n = Number(timeout);
    if (!(n > 0)) throw new InputError(`-T ${timeout}: expected a number of seconds above 0`);
    d.ansible_timeout = n;
  }
  if (o.connection) {
    if (!['ssh', 'smart', 'paramiko', 'local'].includes(o.connection))
      throw new InputError(`-c ${o.connection}: connection plugin not supported`, undefined, 'use -c ssh (the default) or -c local');
    d.ansible_connection = o.connection;
  }
  const method = o.becomeMethod ?? v.become_method;
  if (method && method !== 'sudo')
    throw new InputError(
      `--become-method ${method} is not supported`,
      undefined,
      'chom-play becomes root with sudo; use --become-method sudo (or leave it out)',
    );
  const becomeUser = o.becomeUser ?? v.become_user;
  if (becomeUser && becomeUser !== 'root')
    throw new InputError(
      `--become-user ${becomeUser} is not supported`,
      undefined,
      'the script runs as root with -b; to act as another user, use the owner:/group: arguments of the modules, or `sudo -u USER` inside a command/shell task',
    );
  const become = (cmd.getOptionValueSource('become') === 'cli' ? o.become : undefined) ?? v.become;
  if (become) d.ansible_become = true;
  if (v.host_key_checking === false && cmd.options.some((x) => x.long === '--accept-new-host-keys') && !o.acceptNewHostKeys) {
    // Closest safe reading of host_key_checking = False: unknown keys are trusted, changed keys still refused.
    cmd.setOptionValue('acceptNewHostKeys', true);
  }
  setJumpHost(undefined);
  for (const args of [v.ssh_args, o.sshCommonArgs, o.sshExtraArgs]) {
    if (!args) continue;
    const r = sshArgsToVars(args, cwd);
    Object.assign(d, r.vars);
    if (r.jump !== undefined) {
      try {
        setJumpHost(r.jump === 'none' ? undefined : parseJump(r.jump));
      } catch (err) {
        throw new InputError(`ProxyJump ${r.jump}: ${(err as Error).message}`);
      }
    }
    if (r.acceptNew && cmd.options.some((x) => x.long === '--accept-new-host-keys')) cmd.setOptionValue('acceptNewHostKeys', true);
  }

  let sshPw: string | undefined;
  if (o.connectionPasswordFile) sshPw = readSecretFile(o.connectionPasswordFile, cwd, '--connection-password-file');
  if (o.askPass) sshPw = await promptHidden('SSH password: ');
  if (sshPw !== undefined) {
    markSecret(sshPw);
    d.ansible_password = sshPw;
  }
  let becomePw: string | undefined;
  if (o.becomePasswordFile) becomePw = readSecretFile(o.becomePasswordFile, cwd, '--become-password-file');
  if (o.askBecomePass || (v.become_ask_pass && becomePw === undefined))
    becomePw = await promptHidden(sshPw !== undefined ? 'BECOME password[defaults to SSH password]: ' : 'BECOME password: ');
  if (becomePw === '' && sshPw !== undefined) becomePw = sshPw;
  if (becomePw !== undefined) {
    markSecret(becomePw);
    setBecomePassword(becomePw);
  }
  setConnectionDefaults(d);

  const ids = [...(o.vaultId ?? []), ...(o.vaultId?.length || o.vaultPasswordFile?.length ? [] : (v.vault_identity_list ?? []))];
  await loadVaultPasswords(
    { vaultId: ids, vaultPasswordFile: o.vaultPasswordFile, askVaultPass: o.askVaultPass || o.J },
    v.vault_password_file,
    cwd,
  );
}

function abs(p: string, cwd: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(process.env.HOME ?? '/', p.slice(2));
  return isAbsolute(p) ? p : resolve(cwd, p);
}

function readSecretFile(p: string, cwd: string, flag: string): string {
  try {
    return readFileSync(abs(p, cwd), 'utf8').replace(/^[\r\n]+|[\r\n]+$/g, '');
  } catch {
    throw new InputError(`${flag} ${p}: cannot read the file`);
  }
}
