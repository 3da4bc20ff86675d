/**
 * Differential harness: the same playbook applied by ansible-playbook (ansible-core from Debian;
 * Python installed on that twin only) and by chom-play to twin lab hosts, then the end states
 * compared: files (content, mode, owner), users, packages. Also Ansible's own `setup` output,
 * the oracle for fact names, types and values.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostExec, type Lab, type LabHost } from '../../src/lab/index.js';

export interface AnsibleResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An INI inventory naming one lab host for ansible/ansible-playbook (same key and known_hosts as chom-play). */
export function ansibleInventory(lab: Lab, host: LabHost, dir: string): string {
  const file = join(dir, `ansible-${host.name}.ini`);
  const ssh = `-o UserKnownHostsFile=${lab.knownHostsFile} -o StrictHostKeyChecking=yes`;
  writeFileSync(
    file,
    `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=root ansible_ssh_private_key_file=${lab.keyFile} ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='${ssh}'\n`,
  );
  return file;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<AnsibleResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd,
        env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_RETRY_FILES_ENABLED: '0', ...env },
        maxBuffer: 64 << 20,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Python for Ansible on one twin only (chom-play's host stays bash-only). */
export async function installPython(lab: Lab, host: LabHost): Promise<void> {
  const r = await hostExec(
    lab,
    host.name,
    'command -v python3 >/dev/null || { apt-get -q update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get -y -q install --no-install-recommends python3 >/dev/null; }; command -v python3',
  );
  if (!/python3/.test(r.stdout)) throw new Error(`could not install python3 on ${host.name}: ${r.stdout}${r.stderr}`);
}

/** ansible-playbook with ansible-core's default output; the recap parsed per host. */
export async function ansiblePlaybook(
  inventory: string,
  playbook: string,
  cwd: string,
  extra: string[] = [],
): Promise<{ res: AnsibleResult; recap: Record<string, Record<string, number>> }> {
  const res = await run('ansible-playbook', ['-i', inventory, playbook, ...extra], cwd);
  const recap: Record<string, Record<string, number>> = {};
  for (const m of res.stdout.matchAll(/^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$/gm)) {
    recap[m[1]] = Object.fromEntries([...m[2].matchAll(/(\w+)=(\d+)/g)].map((x) => [x[1], Number(x[2])]));
  }
  return { res, recap };
}

/** Ansible's facts for one host, with the `ansible_` prefix stripped (as under ansible_facts). */
export async function ansibleSetup(inventory: string, host: string, cwd: string): Promise<Record<string, unknown>> {
  const r = await run('ansible', ['-i', inventory, host, '-m', 'setup', '-o'], cwd);
  const i = r.stdout.indexOf('{');
  if (r.code !== 0 || i < 0) throw new Error(`ansible setup failed on ${host}: ${r.stdout}${r.stderr}`);
  const facts = (JSON.parse(r.stdout.slice(i)) as { ansible_facts: Record<string, unknown> }).ansible_facts;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(facts)) out[k.replace(/^ansible_/, '')] = v;
  return out;
}

/**
 * Files (mode, owner, content hash), users, groups and the named packages: what a playbook may
 * change. Only named packages: the Ansible twin also has python3 (and whatever its modules pull in).
 */
export async function endState(lab: Lab, host: string, paths: string[], packages: string[]): Promise<string> {
  const q = paths.map((p) => `'${p.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = await hostExec(
    lab,
    host,
    `for p in ${q}; do if [ -e "$p" ]; then stat -c '%n %a %U:%G %F' "$p"; [ -f "$p" ] && sha256sum < "$p"; else echo "$p absent"; fi; done
cut -d: -f1,3,4,6,7 /etc/passwd | sort; cut -d: -f1,3 /etc/group | sort
for k in ${packages.join(' ')}; do printf '%s %s\\n' "$k" "$(dpkg-query -W -f='\${db:Status-Abbrev}' "$k" 2>/dev/null)"; done`,
  );
  return r.stdout;
}

/** Canonical JSON (keys sorted) so two values compare regardless of key order. */
export function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}
