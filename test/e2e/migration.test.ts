/**
 * Migration (issue 14): one project laid out as an Ansible user has it — ansible.cfg, an INI
 * inventory with groups and vars, a role under roles_path, a collection role, vault-encrypted
 * group_vars and an inline !vault value — applied by ansible-playbook to one lab host and by
 * chom-play, with the same flags, to its twin. Same end state; no vault value in any output
 * or record of chom-play. Python goes only into the Ansible twin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { encryptVault } from '../../src/vault/format.js';
import { runCli, skipUnlessRoot } from './harness.js';

const NAME = `mig${process.pid % 10000}`;
const skip = skipUnlessRoot || (existsSync('/usr/bin/ansible-playbook') ? false : 'needs ansible-playbook (ansible-core)');
const VAULT_PW = 'migrate-me-please';
const DB_PASSWORD = 'Db-Secret-4431-xyz';
const API_TOKEN = 'tok-98ab-inline-vault';
const TLS_KEY = 'private-key-line-Vx7-never-printed';
let lab: Lab;
let project: string;

function write(rel: string, text: string): void {
  const p = join(project, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

function layout(l: Lab): void {
  const [ans, chom] = l.hosts;
  write(
    'ansible.cfg',
    [
      '[defaults]',
      'inventory = hosts.ini',
      'remote_user = root',
      `private_key_file = ${l.keyFile}`,
      'roles_path = ext-roles',
      'collections_path = colls',
      'vault_password_file = .vault-pass',
      'retry_files_enabled = False',
      'interpreter_python = /usr/bin/python3',
      'forks = 2',
      '',
      '[ssh_connection]',
      // Fewer round trips for Ansible (chom-play notes the setting and ignores it).
      'pipelining = True',
      '',
      '[privilege_escalation]',
      'become_method = sudo',
      '',
    ].join('\n'),
  );
  write('.vault-pass', `${VAULT_PW}\n`);
  write(
    'hosts.ini',
    [
      `ansible_twin ansible_host=${ans.address} ansible_port=${ans.port}`,
      `chom_twin ansible_host=${chom.address} ansible_port=${chom.port}`,
      '',
      '[web]',
      'ansible_twin',
      'chom_twin',
      '',
      '[web:vars]',
      'http_port=8080',
      'app_user=appsvc',
      "app_groups=['adm']",
      '',
      '[prod:children]',
      'web',
      '',
    ].join('\n'),
  );
  write('group_vars/web.yml', encryptVault(`db_password: ${DB_PASSWORD}\n`, VAULT_PW));
  const inline = encryptVault(API_TOKEN, VAULT_PW, 'prod')
    .trimEnd()
    .split('\n')
    .map((x) => `  ${x}`)
    .join('\n');
  // A vault-encrypted copy source (Ansible's copy decrypts it by default).
  write('files/tls.key', encryptVault(`-----BEGIN KEY-----\n${TLS_KEY}\n-----END KEY-----\n`, VAULT_PW));
  write('group_vars/prod.yml', `app_name: shop\napi_token: !vault |\n${inline}\n`);
  write(
    'ext-roles/motd/tasks/main.yml',
    [
      '- name: motd names the app and its port',
      '  copy:',
      '    dest: /etc/motd-app',
      '    content: "{{ app_name }} listens on {{ http_port }}\\n"',
      '    mode: "0644"',
      '',
    ].join('\n'),
  );
  write('ext-roles/motd/meta/main.yml', 'dependencies: []\n');
  write(
    'colls/ansible_collections/acme/base/roles/appuser/tasks/main.yml',
    [
      '- name: app user',
      '  user:',
      '    name: "{{ app_user }}"',
      '    shell: /bin/bash',
      '    groups: "{{ app_groups }}"',
      '- name: app directory',
      '  file:',
      '    path: /srv/app',
      '    state: directory',
      '    owner: "{{ app_user }}"',
      '    mode: "0750"',
      '',
    ].join('\n'),
  );
  write(
    'site.yml',
    [
      '- hosts: web',
      '  gather_facts: false',
      '  roles:',
      '    - motd',
      '    - acme.base.appuser',
      '  tasks:',
      '    - name: secrets file',
      '      copy:',
      '        dest: /srv/app/secret.conf',
      '        content: "db={{ db_password }}\\ntoken={{ api_token }}\\n"',
      '        owner: "{{ app_user }}"',
      '        mode: "0600"',
      '    - name: vaulted key file',
      '      copy:',
      '        src: tls.key',
      '        dest: /srv/app/tls.key',
      '        mode: "0600"',
      '    - name: settings line',
      '      lineinfile:',
      '        path: /srv/app/app.conf',
      '        line: "port={{ http_port }}"',
      '        create: true',
      '        mode: "0640"',
      '',
    ].join('\n'),
  );
}

/** Everything the playbook decides, the same on both twins when both tools agree. */
async function endState(host: string): Promise<string> {
  const r = await hostExec(
    lab,
    host,
    [
      'set -e',
      'for p in /etc/motd-app /srv/app /srv/app/secret.conf /srv/app/app.conf /srv/app/tls.key; do stat -c "%n %F %a %U %G" "$p"; done',
      'sha256sum /etc/motd-app /srv/app/secret.conf /srv/app/app.conf /srv/app/tls.key',
      'getent passwd appsvc | cut -d: -f1,6,7',
      'id -nG appsvc',
    ].join('\n'),
  );
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  project = mkdtempSync(join(tmpdir(), 'chom-migration-'));
  lab = await labUp({ name: NAME, hosts: 2, inventoryDir: join(project, 'lab') });
  // Ansible needs Python on its twin only (chom-play needs bash).
  const py = await hostExec(
    lab,
    lab.hosts[0].name,
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 >/dev/null 2>&1 || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 >/dev/null; }',
  );
  assert.equal(py.code, 0, py.stderr);
  layout(lab);
});

after(async () => {
  if (!skip) await labDown(NAME);
});

test(
  'ansible-playbook and chom-play, same project and flags, give twin hosts the same end state; vault values appear in no chom-play output',
  { skip },
  async () => {
    const flags = ['-b', '--ssh-common-args', `-o UserKnownHostsFile=${lab.knownHostsFile} -o StrictHostKeyChecking=yes`];
    const a = spawnSync('ansible-playbook', ['site.yml', ...flags, '-l', 'ansible_twin'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_CONFIG: join(project, 'ansible.cfg') },
    });
    assert.equal(a.status, 0, a.stdout + a.stderr);

    const c = await runCli(['site.yml', ...flags, '-l', 'chom_twin'], project, { ANSIBLE_CONFIG: join(project, 'ansible.cfg') });
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.equal(await endState(lab.hosts[1].name), await endState(lab.hosts[0].name));

    // The second run changes nothing, as Ansible's would not.
    const again = await runCli(['site.yml', ...flags, '-l', 'chom_twin', '-o', 'json', '-D'], project);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /"changed":0/);

    const records = existsSync(join(project, '.chom', 'runs'))
      ? readdirSync(join(project, '.chom', 'runs')).map((f) => readFileSync(join(project, '.chom', 'runs', f), 'utf8'))
      : [];
    const render = await runCli(['render', 'site.yml', '-H', 'chom_twin', '--no-facts', ...flags], project);
    assert.equal(render.code, 0, render.stderr);
    for (const text of [c.stdout, c.stderr, again.stdout, again.stderr, render.stdout, ...records]) {
      for (const secret of [DB_PASSWORD, API_TOKEN, VAULT_PW, TLS_KEY])
        assert.ok(!text.includes(secret), `a vault value leaked:\n${text.slice(0, 2000)}`);
    }
    // ...while the host really has them (so the check above is not vacuous).
    const onHost = await hostExec(lab, lab.hosts[1].name, 'cat /srv/app/secret.conf');
    assert.equal(onHost.stdout, `db=${DB_PASSWORD}\ntoken=${API_TOKEN}\n`);
    assert.match((await hostExec(lab, lab.hosts[1].name, 'cat /srv/app/tls.key')).stdout, new RegExp(`^${TLS_KEY}$`, 'm'));
  },
);

test('-u deploy -b with a become password: sudo gets it over stdin; it is in no output, record or process list', { skip }, async () => {
  const host = lab.hosts[1].name;
  const SUDO_PW = 'Sudo-Pass-5521-q';
  const setup = await hostExec(
    lab,
    host,
    [
      'set -e',
      'id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash deploy',
      `echo 'deploy:${SUDO_PW}' | chpasswd`,
      'mkdir -p ~deploy/.ssh && cp /root/.ssh/authorized_keys ~deploy/.ssh/ && chown -R deploy ~deploy/.ssh',
      // A password is required: sudo -n alone must fail.
      "echo 'deploy ALL=(ALL) ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy",
    ].join('\n'),
  );
  assert.equal(setup.code, 0, setup.stderr);
  write(
    'become.yml',
    '- hosts: chom_twin\n  gather_facts: false\n  tasks:\n    - name: as root\n      copy:\n        dest: /etc/become-check\n        content: "ok\\n"\n        mode: "0600"\n    - name: who\n      command: sleep 1\n',
  );
  write('.become-pass', `${SUDO_PW}\n`);
  const flags = ['become.yml', '-u', 'deploy', '-b', '--ssh-common-args', `-o UserKnownHostsFile=${lab.knownHostsFile}`];
  const without = await runCli(flags, project);
  assert.equal(without.code, 2, without.stdout + without.stderr);

  // Watch the host's process list while the run is under way.
  let seen = '';
  let watching = true;
  const watcher = (async () => {
    while (watching) seen += (await hostExec(lab, host, 'ps -eo args')).stdout;
  })();
  const r = await runCli([...flags, '--become-password-file', '.become-pass'], project);
  watching = false;
  await watcher;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const st = await hostExec(lab, host, 'stat -c "%U %a" /etc/become-check');
  assert.equal(st.stdout.trim(), 'root 600');
  assert.match(seen, /sudo/, 'the watcher saw the run');
  const records = readdirSync(join(project, '.chom', 'runs')).map((f) => readFileSync(join(project, '.chom', 'runs', f), 'utf8'));
  for (const text of [r.stdout, r.stderr, seen, ...records]) assert.ok(!text.includes(SUDO_PW), 'the become password leaked');
});

test("ProxyJump (--ssh-common-args or a host's ansible_ssh_common_args) reaches the host through the jump host", { skip }, async () => {
  const [jumpHost, target] = lab.hosts;
  write(
    'jump.yml',
    '- hosts: chom_twin\n  gather_facts: false\n  tasks:\n    - name: where from\n      shell: echo "$SSH_CLIENT" | cut -d" " -f1 > /tmp/ssh-from\n',
  );
  const r = await runCli(
    ['jump.yml', '--ssh-common-args', `-o ProxyJump=root@${jumpHost.address}:${jumpHost.port} -o UserKnownHostsFile=${lab.knownHostsFile}`],
    project,
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // The target saw the jump host as its SSH client, not this machine.
  const from = await hostExec(lab, target.name, 'cat /tmp/ssh-from && rm /tmp/ssh-from');
  assert.equal(from.stdout.trim(), jumpHost.address);

  // The same from the inventory, as Ansible users write it: ansible_ssh_common_args on the host.
  write(
    'jump.ini',
    `chom_twin ansible_host=${target.address} ansible_port=${target.port} ansible_ssh_common_args='-o ProxyJump=root@${jumpHost.address}:${jumpHost.port}'\n`,
  );
  const r2 = await runCli(['jump.yml', '-i', 'jump.ini', '--ssh-common-args', `-o UserKnownHostsFile=${lab.knownHostsFile}`], project);
  assert.equal(r2.code, 0, r2.stdout + r2.stderr);
  assert.equal((await hostExec(lab, target.name, 'cat /tmp/ssh-from')).stdout.trim(), jumpHost.address);
});
