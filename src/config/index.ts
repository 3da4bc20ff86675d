import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { parseCfg } from './ini.js';

/**
 * ansible.cfg and ANSIBLE_* variables: the settings chom-play honours. Each value is already
 * resolved (environment over file, paths absolute against the config file's directory).
 */
export interface AnsibleConfig {
  /** The ansible.cfg read, if any. */
  file?: string;
  values: {
    inventory?: string[];
    remote_user?: string;
    private_key_file?: string;
    roles_path?: string[];
    collections_paths?: string[];
    forks?: number;
    host_key_checking?: boolean;
    timeout?: number;
    become?: boolean;
    become_user?: string;
    become_method?: string;
    become_ask_pass?: boolean;
    ssh_args?: string;
    vault_password_file?: string;
    vault_identity_list?: string[];
  };
  /** One line per ignored setting (shown under -v). */
  notes: string[];
}

type Kind = 'paths' | 'path' | 'string' | 'int' | 'bool' | 'list';
interface Setting {
  key: keyof AnsibleConfig['values'];
  section: string;
  names: string[];
  env: string[];
  kind: Kind;
}

const SETTINGS: Setting[] = [
  { key: 'inventory', section: 'defaults', names: ['inventory', 'hostfile'], env: ['ANSIBLE_INVENTORY'], kind: 'paths' },
  { key: 'remote_user', section: 'defaults', names: ['remote_user'], env: ['ANSIBLE_REMOTE_USER'], kind: 'string' },
  { key: 'private_key_file', section: 'defaults', names: ['private_key_file'], env: ['ANSIBLE_PRIVATE_KEY_FILE'], kind: 'path' },
  { key: 'roles_path', section: 'defaults', names: ['roles_path'], env: ['ANSIBLE_ROLES_PATH'], kind: 'paths' },
  {
    key: 'collections_paths',
    section: 'defaults',
    names: ['collections_path', 'collections_paths'],
    env: ['ANSIBLE_COLLECTIONS_PATH', 'ANSIBLE_COLLECTIONS_PATHS'],
    kind: 'paths',
  },
  { key: 'forks', section: 'defaults', names: ['forks'], env: ['ANSIBLE_FORKS'], kind: 'int' },
  { key: 'host_key_checking', section: 'defaults', names: ['host_key_checking'], env: ['ANSIBLE_HOST_KEY_CHECKING'], kind: 'bool' },
  { key: 'timeout', section: 'defaults', names: ['timeout'], env: ['ANSIBLE_TIMEOUT'], kind: 'int' },
  { key: 'vault_password_file', section: 'defaults', names: ['vault_password_file'], env: ['ANSIBLE_VAULT_PASSWORD_FILE'], kind: 'path' },
  { key: 'vault_identity_list', section: 'defaults', names: ['vault_identity_list'], env: ['ANSIBLE_VAULT_IDENTITY_LIST'], kind: 'list' },
  { key: 'become', section: 'privilege_escalation', names: ['become'], env: ['ANSIBLE_BECOME'], kind: 'bool' },
  { key: 'become_user', section: 'privilege_escalation', names: ['become_user'], env: ['ANSIBLE_BECOME_USER'], kind: 'string' },
  { key: 'become_method', section: 'privilege_escalation', names: ['become_method'], env: ['ANSIBLE_BECOME_METHOD'], kind: 'string' },
  { key: 'ssh_args', section: 'ssh_connection', names: ['ssh_args'], env: ['ANSIBLE_SSH_ARGS'], kind: 'string' },
  { key: 'become_ask_pass', section: 'privilege_escalation', names: ['become_ask_pass'], env: ['ANSIBLE_BECOME_ASK_PASS'], kind: 'bool' },
];

/** Read and accepted without effect: they only tune how Ansible itself works. */
const HARMLESS = new Set([
  'retry_files_enabled',
  'retry_files_save_path',
  'pipelining',
  'control_path',
  'control_path_dir',
  'nocows',
  'stdout_callback',
  'callbacks_enabled',
  'callback_whitelist',
  'interpreter_python',
  'deprecation_warnings',
  'gathering',
  'fact_caching',
  'fact_caching_connection',
  'fact_caching_timeout',
  'log_path',
  'command_warnings',
  'localhost_warning',
  'host_pattern_mismatch',
  'display_skipped_hosts',
  'bin_ansible_callbacks',
  'any_errors_fatal',
]);

/** Settings whose meaning chom-play cannot keep: silently ignoring them would change results. */
const REFUSED: Record<string, (v: string) => string | undefined> = {
  hash_behaviour: (v) =>
    v.toLowerCase() === 'merge'
      ? 'chom-play replaces dictionaries (hash_behaviour = replace); use the combine filter where you need a merge'
      : undefined,
  become_method: (v) => (v !== 'sudo' ? `only become_method = sudo is supported (got ${v})` : undefined),
  transport: (v) =>
    ['ssh', 'smart', 'paramiko', 'local'].includes(v) ? undefined : `connection plugin "${v}" is not supported; use ssh or local`,
  strategy: (v) => (v === 'linear' || v === 'free' ? undefined : `strategy ${v} is not supported`),
  jinja2_native: (v) => (/^(true|yes|on|1)$/i.test(v) ? 'jinja2_native = True is not supported; templates render to strings' : undefined),
};

/** Ansible's search order; ./ansible.cfg is skipped in a world-writable directory, as Ansible does. */
export function findConfigFile(cwd: string, env: NodeJS.ProcessEnv = process.env): { file?: string; notes: string[] } {
  const notes: string[] = [];
  if (env.ANSIBLE_CONFIG) {
    let p = expand(env.ANSIBLE_CONFIG, cwd);
    if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'ansible.cfg');
    if (existsSync(p)) return { file: p, notes };
    notes.push(`ANSIBLE_CONFIG=${env.ANSIBLE_CONFIG}: not found, looking further`);
  }
  const local = join(cwd, 'ansible.cfg');
  if (existsSync(local)) {
    if ((statSync(cwd).mode & 0o002) !== 0) notes.push(`${local}: ignored, the directory is world-writable (as Ansible)`);
    else return { file: local, notes };
  }
  for (const p of [join(homedir(), '.ansible.cfg'), '/etc/ansible/ansible.cfg']) if (existsSync(p)) return { file: p, notes };
  return { notes };
}

export function resolveConfig(cwd: string, env: NodeJS.ProcessEnv = process.env): AnsibleConfig {
  const { file, notes } = findConfigFile(cwd, env);
  const out: AnsibleConfig = { file, values: {}, notes };
  const base = file ? dirname(file) : cwd;
  const fromFile = new Map<string, { value: string; line: number; section: string }>();
  if (file) {
    const { sections, errors } = parseCfg(readFileSync(file, 'utf8'));
    if (errors.length)
      throw new InputError(
        `${errors[0].message}`,
        { file, line: errors[0].line, col: 1 },
        'ansible.cfg is INI: [section] lines and key = value lines',
      );
    const known = new Set(SETTINGS.flatMap((s) => s.names.map((n) => `${s.section}.${n}`)));
    for (const [section, entries] of sections) {
      for (const [k, e] of entries) {
        fromFile.set(`${section}.${k}`, { ...e, section });
        const refuse = REFUSED[k]?.(e.value);
        if (refuse)
          throw new InputError(
            `${k} = ${e.value}: ${refuse}`,
            { file, line: e.line, col: 1 },
            'remove the setting or change it; chom-play cannot honour it',
          );
        if (!known.has(`${section}.${k}`) && !REFUSED[k])
          notes.push(`${file}:${e.line}: [${section}] ${k} is ${HARMLESS.has(k) ? 'not needed by' : 'not used by'} chom-play, ignored`);
      }
    }
  }
  for (const s of SETTINGS) {
    let raw: string | undefined;
    let where = '';
    let dir = base;
    for (const e of s.env) {
      if (env[e] !== undefined && env[e] !== '') {
        raw = env[e];
        where = e;
        dir = cwd;
        break;
      }
    }
    if (raw === undefined) {
      for (const n of s.names) {
        const f = fromFile.get(`${s.section}.${n}`);
        if (f) {
          raw = f.value;
          where = `${file}:${f.line}`;
          break;
        }
      }
    }
    if (raw === undefined) continue;
    if (s.key === 'become_method' && raw !== 'sudo')
      throw new InputError(`${where}: become_method ${raw} is not supported`, undefined, 'chom-play becomes root with sudo only');
    (out.values as Record<string, unknown>)[s.key] = convert(s, raw, where, dir);
  }
  return out;
}

function convert(s: Setting, raw: string, where: string, dir: string): unknown {
  switch (s.kind) {
    case 'string':
      return raw;
    case 'path':
      return expand(raw, dir);
    case 'paths':
      // inventory is comma-separated in Ansible; path lists are colon-separated (pathsep).
      return raw
        .split(s.key === 'inventory' ? ',' : ':')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => expand(p, dir));
    case 'list':
      return raw
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new InputError(`${where}: ${s.key} = ${raw} is not a positive integer`);
      return n;
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on', 'y', 't'].includes(v)) return true;
      if (['0', 'false', 'no', 'off', 'n', 'f', ''].includes(v)) return false;
      throw new InputError(`${where}: ${s.key} = ${raw} is not a boolean`, undefined, 'use True or False');
    }
  }
}

/** ~ and $VARS as Ansible expands config paths; relative paths against the config's directory. */
export function expand(p: string, dir: string): string {
  let v = p.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, name: string) => process.env[name] ?? '');
  if (v === '~' || v.startsWith('~/')) v = join(homedir(), v.slice(1));
  // A comma host list ("a,b,") is not a path.
  if (v.includes(',')) return v;
  return isAbsolute(v) ? v : resolve(dir, v);
}

/** The configuration of this run, for layers that look things up later (role paths). */
let active: AnsibleConfig | undefined;
export function setActiveConfig(c: AnsibleConfig): void {
  active = c;
}
export function activeConfig(): AnsibleConfig | undefined {
  return active;
}
