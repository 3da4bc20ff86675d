import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildProgram } from './main.js';
import { REFUSED_FLAGS, refuseAnsibleFlags } from './ansible-flags.js';
import { sshArgsToVars } from '../inventory/ssh-args.js';

/** Every flag `ansible-playbook --help` lists (2.14), as the README table has them. */
function ansibleFlags(): string[] {
  let help: string;
  try {
    help = execFileSync('ansible-playbook', ['--help'], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const flags = new Set<string>();
  for (const line of help.split('\n')) {
    if (!/^\s+-/.test(line)) continue;
    for (const m of line
      .trim()
      .split(/\s{2,}/)[0]
      .matchAll(/(--?[A-Za-z][\w-]*)/g))
      flags.add(m[1]);
  }
  return [...flags];
}

describe('Ansible flags', () => {
  it('every flag of ansible-playbook --help is implemented by `chom-play run` or refused with an alternative', (t) => {
    const flags = ansibleFlags();
    if (flags.length === 0) return t.skip('ansible-playbook is not installed');
    const run = buildProgram().commands.find((c) => c.name() === 'run')!;
    const known = new Set([...run.options.flatMap((o) => [o.short, o.long]), '-h', '--help', '--version']);
    const missing = flags.filter((f) => !known.has(f) && !REFUSED_FLAGS[f]);
    assert.deepEqual(missing, []);
  });

  it('a refused flag names what to use instead', () => {
    assert.throws(
      () => refuseAnsibleFlags(['node', 'chom-play', 'site.yml', '--force-handlers']),
      (e: Error & { hint?: string }) => /--force-handlers/.test(e.message) && /run again/.test(e.hint ?? ''),
    );
    assert.throws(
      () => refuseAnsibleFlags(['node', 'chom-play', 'site.yml', '-M', 'lib']),
      (e: Error & { hint?: string }) => /built in/.test(e.hint ?? ''),
    );
    assert.doesNotThrow(() => refuseAnsibleFlags(['node', 'chom-play', 'site.yml', '-b', '--', '--force-handlers']));
  });

  it('ssh args with an ssh2 meaning become connection variables; others are refused', () => {
    const r = sshArgsToVars('-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p 2222 -o ControlMaster=auto', '/x');
    assert.deepEqual(r, { vars: { chom_known_hosts_file: '/dev/null', ansible_port: 2222 }, acceptNew: true });
    assert.equal(sshArgsToVars('-o ProxyJump=ops@bastion:2200', '/x').jump, 'ops@bastion:2200');
    assert.equal(sshArgsToVars('-J bastion', '/x').jump, 'bastion');
    assert.throws(
      () => sshArgsToVars('-o ProxyCommand=nc', '/x'),
      (e: Error & { hint?: string }) => /ProxyCommand/.test(e.message) && /ProxyJump=/.test(e.hint ?? ''),
    );
    assert.throws(() => sshArgsToVars('-R 80:x:80', '/x'), /cannot be honoured/);
  });

  it('Ansible spellings of a flag land in the option the loader reads', () => {
    const program = buildProgram();
    const run = program.commands.find((c) => c.name() === 'run')!;
    run.action(() => {});
    (program as unknown as { _lifeCycleHooks: object })._lifeCycleHooks = {};
    program.parse(
      [
        'run',
        'a.yml',
        '-b',
        '-u',
        'deploy',
        '--key-file',
        'k',
        '--ask-vault-password',
        '--vault-pass-file',
        'v1',
        '--vault-password-file',
        'v2',
        '--become-pass-file',
        'bp',
        '--conn-pass-file',
        'cp',
        '-T',
        '5',
        '-i',
        'a',
        '--inventory',
        'b',
      ],
      { from: 'user' },
    );
    const o = run.opts();
    assert.equal(o.become, true);
    assert.equal(o.user, 'deploy');
    assert.equal(o.privateKey, 'k');
    assert.equal(o.askVaultPass, true);
    assert.deepEqual(o.vaultPasswordFile, ['v1', 'v2']);
    assert.equal(o.becomePasswordFile, 'bp');
    assert.equal(o.connectionPasswordFile, 'cp');
    assert.equal(o.timeout, '5');
    assert.equal(o.inventory, 'a\nb');
  });
});
