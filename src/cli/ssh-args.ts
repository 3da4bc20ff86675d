import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { shlexSplit } from '../inventory/ini.js';

/**
 * --ssh-common-args / --ssh-extra-args: chom-play speaks SSH through ssh2, not the ssh program,
 * so only options with an ssh2 equivalent are taken; any other is an error (silently dropping
 * a ProxyJump would connect somewhere else than the user meant).
 */
const IGNORED_O = new Set(['controlmaster', 'controlpersist', 'controlpath', 'serveraliveinterval', 'serveralivecountmax', 'loglevel', 'compression', 'forwardagent', 'preferredauthentications', 'passwordauthentication', 'pubkeyauthentication', 'kbdinteractiveauthentication', 'gssapiauthentication', 'identitiesonly']);

export function sshArgsToVars(args: string, cwd: string): { vars: Record<string, unknown>; acceptNew: boolean } {
  const vars: Record<string, unknown> = {};
  let acceptNew = false;
  const t = shlexSplit(args);
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const option = (kv: string): void => {
    const m = /^([A-Za-z]+)\s*[= ]\s*(.*)$/.exec(kv);
    if (!m) throw new InputError(`ssh option "-o ${kv}" is not NAME=VALUE`);
    const name = m[1].toLowerCase();
    const val = m[2];
    if (name === 'stricthostkeychecking') {
      if (/^(no|off|accept-new)$/i.test(val)) acceptNew = true;
    } else if (name === 'userknownhostsfile') vars.chom_known_hosts_file = path(val);
    else if (name === 'connecttimeout') vars.ansible_timeout = Number(val);
    else if (name === 'port') vars.ansible_port = Number(val);
    else if (name === 'user') vars.ansible_user = val;
    else if (name === 'identityfile') vars.ansible_ssh_private_key_file = path(val);
    else if (!IGNORED_O.has(name)) {
      throw new InputError(`ssh option ${m[1]} cannot be honoured: chom-play connects with ssh2, not the ssh program`, undefined, `supported: StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout, Port, User, IdentityFile${name === 'proxyjump' || name === 'proxycommand' ? '; for a jump host, open a tunnel first (ssh -N -L 2222:TARGET:22 JUMP) and point ansible_host/ansible_port at it' : ''}`);
    }
  };
  for (let i = 0; i < t.length; i++) {
    const a = t[i];
    const next = (): string => {
      if (i + 1 >= t.length) throw new InputError(`ssh argument ${a} needs a value`);
      return t[++i];
    };
    if (a === '-o') option(next());
    else if (a.startsWith('-o')) option(a.slice(2));
    else if (a === '-p') vars.ansible_port = Number(next());
    else if (a === '-l') vars.ansible_user = next();
    else if (a === '-i') vars.ansible_ssh_private_key_file = path(next());
    else if (a === '-J') throw new InputError('ssh -J (ProxyJump) is not supported by chom-play\'s ssh2 transport', undefined, 'open a tunnel first (ssh -N -L 2222:TARGET:22 JUMP) and point ansible_host/ansible_port at it');
    else if (['-q', '-v', '-C', '-T', '-A', '-a', '-x', '-4', '-6'].includes(a)) continue;
    else throw new InputError(`ssh argument "${a}" cannot be honoured by chom-play's ssh2 transport`, undefined, 'use -o NAME=VALUE with StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout, Port, User or IdentityFile');
  }
  return { vars, acceptNew };
}
