import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { buildProgram } from './main.js';
import { REFUSED_FLAGS, refuseAnsibleFlags } from './ansible-flags.js';
import { sshArgsToVars } from './ssh-args.js';

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
    for (const m of line.trim().split(/\s{2,}/)[0].matchAll(/(--?[A-Za-z][\w-]*)/g)) flags.add(m[1]);
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
    assert.throws(() => refuseAnsibleFlags(['node', 'chom-play', 'site.yml', '--step']), (e: Error & { hint?: string }) => /--step/.test(e.message) && /--start-at-task/.test(e.hint ?? ''));
    assert.doesNotThrow(() => refuseAnsibleFlags(['node', 'chom-play', 'site.yml', '-b', '--', '--step']));
  });

  it('ssh args with an ssh2 meaning become connection variables; others are refused', () => {
    const r = sshArgsToVars('-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -p 2222 -o ControlMaster=auto', '/x');
    assert.deepEqual(r, { vars: { chom_known_hosts_file: '/dev/null', ansible_port: 2222 }, acceptNew: true });
    assert.throws(() => sshArgsToVars('-o ProxyJump=bastion', '/x'), (e: Error & { hint?: string }) => /ProxyJump/.test(e.message) && /tunnel/.test(e.hint ?? ''));
  });
});
