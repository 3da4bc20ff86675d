/**
 * The whole CHOM deployment (playbooks/site.yml) end to end on 3 systemd lab hosts:
 * host 1 = observability, hosts 2-3 = application servers (group vpsmanager); host 3's sshd is
 * moved to port 2222 first. Grafana, Loki and promtail come from upstream sources this machine
 * cannot reach: observability_log_stack is false here (their roles are covered by render tests).
 * Built for a small time budget: ONE lab, the cases run in order and build on each other, the
 * forced MariaDB failure runs the application play's first roles (not the whole site: the
 * observability server is not up yet), and site.yml is applied in full only three times
 * (apply, no-change, --check). Needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { execFileSync } from 'node:child_process';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { jsonEvents, recap, repoRoot, runCli, skipUnlessRoot, tasksWithStatus, type CliResult } from './harness.js';

const NAME = `site${process.pid % 10000}`;
let lab: Lab;
let project: string;
const outputs: CliResult[] = [];
const timings: Record<string, number> = {};
const creds: string[] = [];
let forwardRule: string[] | undefined;
let inventory: { all: { hosts: Record<string, Record<string, unknown>> } } | undefined;
const APP_ROLES = /^roles\/(observability_reachable|app_packages|nginx|php_fpm|mariadb|redis|vpsmanager|app_exporters)\//;

async function chom(label: string, args: string[], inventory = 'inventory/site'): Promise<CliResult> {
  const t0 = Date.now();
  const r = await runCli([...args, '-i', inventory, '--output', 'json'], project);
  timings[label] = Date.now() - t0;
  outputs.push(r);
  return r;
}
const obs = () => lab.hosts[0];
const app1 = () => lab.hosts[1];
const moved = () => lab.hosts[2];
const sh = async (host: string, cmd: string) => {
  const r = await hostExec(lab, host, cmd);
  assert.equal(r.code, 0, `${host}: ${cmd}: ${r.stderr}`);
  return r.stdout;
};
const failedTasks = (r: CliResult) => tasksWithStatus(r.stdout, 'failed');
/** Sum of task durations of the application-server roles on one host (the app tier's own time). */
const appTierMs = (r: CliResult, host: string) =>
  jsonEvents(r.stdout)
    .filter((e) => e.event === 'task' && e.host === host && APP_ROLES.test(String(e.loc)))
    .reduce((s, e) => s + Number(e.ms ?? 0), 0);

/**
 * What a playbook may change on a host (as harness treeHash): every path's type, mode, owner and
 * link target, the content of every file under etc srv opt usr/local home, the installed
 * packages with versions, the users and groups. Left out: chom-play's own run state
 * (/var/lib/chom-play, /var/backups/chom-play), which a rollback keeps for audit, and the
 * bookkeeping copies tools write on every change (/etc/passwd- and co, dpkg's *-old files).
 */
function stateHash(host: string): Promise<string> {
  return sh(
    host,
    [
      'cd / && find etc srv opt usr/local root home var/lib/dpkg var/backups var/lib/chom-play -xdev',
      "\\( -path var/lib/chom-play -o -path var/backups/chom-play -o -path 'etc/*-' -o -path 'var/lib/dpkg/*-old' -o -path etc/ld.so.cache -o -path root/.bash_history \\) -prune -o",
      "-printf '%p %y %M %u %g %l\\n' 2>/dev/null | sort | sha256sum;",
      "find etc srv opt usr/local home -xdev -type f ! -path 'etc/*-' 2>/dev/null | sort | xargs -r sha256sum | sha256sum;",
      "dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\\n' | sha256sum;",
      'getent passwd | sha256sum; getent group | sha256sum',
    ].join(' '),
  );
}

/** An HTTPS GET from the controller over the lab network (self-signed certificate accepted). */
function httpsGet(address: string, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port: 443, path, servername: host, headers: { Host: host }, rejectUnauthorized: false, timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The MariaDB app user's hash and Redis's requirepass line, as the hosts hold them. */
async function recordCredentials(): Promise<void> {
  for (const h of [app1(), moved()]) {
    creds.push(
      await sh(
        h.name,
        'mysql -N -B -e "SELECT authentication_string FROM mysql.user WHERE User=\'vpsmanager\'" && sha256sum /etc/redis/chom.conf /etc/chom/app/credentials.php',
      ),
    );
  }
}

before(async () => {
  if (skipUnlessRoot) return;
  project = mkdtempSync(join(tmpdir(), 'chom-site-'));
  for (const d of ['playbooks', 'roles', 'templates']) cpSync(join(repoRoot, d), join(project, d), { recursive: true });
  lab = await labUp({ name: NAME, hosts: 3, systemd: true, inventoryDir: join(project, 'inventory', 'lab') });
  // Prometheus on host 1 scrapes hosts 2-3. The lab's forward chain drops host-to-host traffic
  // on the bridge (br_netfilter): until src/lab/nat.ts accepts LAB->LAB, open it for this
  // lab's own /24 only, and remove the rule in after().
  const probe = await hostExec(lab, obs().name, `timeout 3 bash -c 'exec 3<>/dev/tcp/${app1().address}/22'`);
  if (probe.code !== 0) {
    const net = obs().address.replace(/\.\d+$/, '.0/24');
    forwardRule = ['CHOM-LAB-FWD', '-s', net, '-d', net, '-j', 'ACCEPT'];
    execFileSync('iptables', ['-w', '5', '-I', ...forwardRule.slice(0, 1), '1', ...forwardRule.slice(1)]);
  }
  // Disposable hosts: dpkg may skip fsync (the installs are most of this file's run time).
  await Promise.all(lab.hosts.map((h) => sh(h.name, 'echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/chom-test-unsafe-io')));
  // sshd of host 3 moves to 2222 (a drop-in, as an operator would), then the inventory follows.
  const m = moved();
  await sh(m.name, 'printf "Port 2222\\n" >/etc/ssh/sshd_config.d/port.conf && systemctl restart ssh');
  const keys = readFileSync(lab.knownHostsFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  writeFileSync(
    join(project, 'inventory', 'lab', 'known_hosts'),
    keys.map((l) => (l.startsWith(`${m.address} `) ? l.replace(`${m.address} `, `[${m.address}]:2222 `) : l)).join('\n') + '\n',
  );
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const h of lab.hosts) hosts[h.name] = h === m ? { ansible_host: h.address, ansible_port: 2222 } : { ansible_host: h.address };
  const inv = {
    all: {
      vars: {
        ansible_user: 'root',
        ansible_ssh_private_key_file: lab.keyFile,
        chom_known_hosts_file: 'known_hosts',
        prometheus_scrape_interval: '5s',
        firewall_confirm_timeout: 20,
        observability_log_stack: false,
      },
      hosts,
      children: {
        observability: { hosts: { [obs().name]: null } },
        vpsmanager: { hosts: { [app1().name]: null, [m.name]: null } },
      },
    },
  };
  cpSync(join(project, 'inventory', 'lab'), join(project, 'inventory', 'site'), { recursive: true });
  writeFileSync(join(project, 'inventory', 'site', 'hosts.yml'), stringify(inv));
  inventory = inv;
});

after(async () => {
  if (skipUnlessRoot) return;
  if (forwardRule) execFileSync('iptables', ['-w', '5', '-D', ...forwardRule]);
  await labDown(NAME);
  console.log(`timings (ms): ${JSON.stringify(timings)}`);
});

test(
  'MariaDB refusing its settings after nginx succeeded rolls that host back; the other host finishes',
  { skip: skipUnlessRoot },
  async () => {
    // Host 3 had only nginx (chom-play's common and nginx roles): no MariaDB, no PHP, no Redis.
    writeFileSync(
      join(project, 'playbooks', 'nginx-only.yml'),
      stringify([{ name: 'nginx only', hosts: 'all', vars_files: ['vars/stack.yml'], roles: ['common', 'nginx'] }]),
    );
    const prep = await chom('prep-nginx-only', ['playbooks/nginx-only.yml', '--limit', moved().name]);
    assert.equal(prep.code, 0, prep.stdout + prep.stderr);
    const beforeHash = await stateHash(moved().name);
    // The site's application play up to MariaDB (its observability check needs a Prometheus that
    // is not deployed yet) on both application servers. Host 3 also gets a site vhost in nginx
    // and a MariaDB setting MariaDB refuses, as host variables of a copy of the inventory.
    const fail = structuredClone(inventory!);
    fail.all.hosts[moved().name] = {
      ...fail.all.hosts[moved().name],
      nginx_vhosts: [{ name: 'app', server_name: 'app.example.internal', root: '/srv/www/app' }],
      mariadb_extra_settings: { no_such_setting: 1 },
    };
    cpSync(join(project, 'inventory', 'site'), join(project, 'inventory', 'fail'), { recursive: true });
    writeFileSync(join(project, 'inventory', 'fail', 'hosts.yml'), stringify(fail));
    writeFileSync(
      join(project, 'playbooks', 'mariadb-fail.yml'),
      stringify([
        {
          name: 'Application servers up to MariaDB (forced failure on one)',
          hosts: 'vpsmanager',
          rollback_on_failure: true,
          vars_files: ['vars/stack.yml', 'vars/sizing.yml'],
          roles: ['common', 'app_packages', 'nginx', 'php_fpm', 'mariadb'],
        },
      ]),
    );
    const r = await chom('forced-failure', ['playbooks/mariadb-fail.yml'], 'inventory/fail');
    const all = r.stdout + r.stderr;
    assert.equal(r.code, 2, all);
    assert.deepEqual(failedTasks(r), [`${moved().name}|MariaDB restarted with the new settings`]);
    const failed = jsonEvents(r.stdout).find((e) => e.event === 'task' && e.status === 'failed');
    assert.match(String(failed?.msg) + String(failed?.output), /no_such_setting/, "MariaDB's own journal lines name the refused setting");
    const changed = tasksWithStatus(r.stdout, 'changed');
    assert.ok(
      changed.includes(`${moved().name}|Application tier packages, in one transaction`),
      'the run installed MariaDB and the rest of the tier',
    );
    assert.ok(
      changed.some((t) => t.startsWith(`${moved().name}|vhosts`)),
      'nginx changed before MariaDB failed',
    );
    // The recap says what happened: every package of that transaction purged (dependencies
    // included), the data directory kept, nothing failed to undo.
    assert.match(all, new RegExp(`${moved().name}: \\[undone\\] purged \\d+ package\\(s\\) the run installed: .*\\bmariadb-server\\b`));
    assert.match(all, new RegExp(`${moved().name}: \\[kept\\] kept directory /var/lib/mysql: it holds data`));
    assert.match(all, new RegExp(`${moved().name}: rolled back: undone=[1-9]\\d* kept=[1-9]\\d* skipped=\\d+ failed=0`));
    assert.equal(recap(r.stdout)[app1().name]?.failed, 0, 'the other application server finished');
    assert.equal(await stateHash(moved().name), beforeHash, 'the host is back where it was before the run');
    assert.match(await sh(moved().name, 'ls /var/lib/mysql'), /\bmysql\b/, "MariaDB's data directory is kept");
    assert.match(await sh(app1().name, 'systemctl is-active mariadb'), /^active/);
  },
);

test('site.yml applies the whole stack to the fresh hosts', { skip: skipUnlessRoot }, async () => {
  const r = await chom('apply1', ['playbooks/site.yml']);
  assert.deepEqual(failedTasks(r), [], r.stdout + r.stderr);
  assert.equal(r.code, 0, r.stderr);
  for (const h of lab.hosts) assert.equal(recap(r.stdout)[h.name]?.failed, 0);
  timings['app-tier-first-run-host3'] = appTierMs(r, moved().name);
  // The cross-server check ran on the app servers before anything else of theirs.
  const names = jsonEvents(r.stdout)
    .filter((e) => e.event === 'task' && e.host === app1().name && APP_ROLES.test(String(e.loc)))
    .map((e) => String(e.name));
  assert.equal(names[0], 'Prometheus on the observability server answers from this server');
  // The site's last task: Prometheus on the observability server sees every target up.
  const last = jsonEvents(r.stdout)
    .filter((e) => e.event === 'task' && e.handler !== true)
    .at(-1);
  assert.equal(
    `${last?.host}|${last?.name}|${last?.status}`,
    `${obs().name}|Prometheus lists every exporter of every application server as up|ok`,
  );
  assert.match(String(last?.output), /^all 11 targets up/, 'node exporter of each host, 3 exporters and a PHP-FPM site per app server');
  await recordCredentials();
});

test('the health page answers 200 over HTTPS on both application servers; HTTP redirects', { skip: skipUnlessRoot }, async () => {
  for (const h of [app1(), moved()]) {
    const r = await httpsGet(h.address, '/health.php', 'app.example.internal');
    assert.equal(r.status, 200, `${h.name}: ${r.body}`);
    assert.equal(r.body, 'ok\n');
  }
  // Redis down => the page says so with 503 (it really checks), and recovers.
  await sh(app1().name, 'systemctl stop redis-server');
  const down = await httpsGet(app1().address, '/health.php', 'app.example.internal');
  await sh(app1().name, 'systemctl start redis-server');
  assert.equal(down.status, 503);
  assert.match(down.body, /redis/);
});

test('Prometheus lists node, mysqld, nginx, redis and PHP-FPM targets of both app servers up', { skip: skipUnlessRoot }, async () => {
  const apps = [app1(), moved()];
  const want = [
    ...lab.hosts.map((h) => `node ${h.address}:9100`),
    ...apps.flatMap((h) => [
      `mysqld ${h.address}:9104`,
      `nginx ${h.address}:9113`,
      `redis ${h.address}:9121`,
      `phpfpm_${h.name}_app ${h.address}:8080`,
    ]),
  ].sort();
  let seen: string[] = [];
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const out = await sh(obs().name, 'curl -sf http://127.0.0.1:9090/api/v1/targets');
    const targets = (JSON.parse(out) as { data: { activeTargets: Array<{ labels: { job: string; instance: string }; health: string }> } })
      .data.activeTargets;
    const listed = targets.filter((t) => t.labels.job !== 'prometheus');
    assert.deepEqual(listed.map((t) => `${t.labels.job} ${t.labels.instance}`).sort(), want, 'one target per exporter per inventory host');
    seen = listed
      .filter((t) => t.health === 'up')
      .map((t) => `${t.labels.job} ${t.labels.instance}`)
      .sort();
    if (seen.length === want.length) break;
    await new Promise((res) => setTimeout(res, 1000));
  }
  assert.deepEqual(seen, want);
  // The site's own final check names a target that is down, with its host.
  writeFileSync(
    join(project, 'playbooks', 'targets-up.yml'),
    stringify([{ name: 'check', hosts: 'observability', vars_files: ['vars/stack.yml'], roles: ['prometheus_targets_up'] }]),
  );
  await sh(app1().name, 'systemctl stop prometheus-redis-exporter');
  const query = `promtool query instant http://127.0.0.1:9090 'up{job="redis",host="${app1().name}"}'`;
  for (let i = 0; i < 30 && !/=> 0 /.test(await sh(obs().name, query)); i++) await new Promise((res) => setTimeout(res, 1000));
  const r = await chom('targets-check-down', ['playbooks/targets-up.yml', '-e', 'prometheus_targets_timeout=15']);
  await sh(app1().name, 'systemctl start prometheus-redis-exporter');
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const failed = jsonEvents(r.stdout).find((e) => e.event === 'task' && e.status === 'failed');
  assert.equal(failed?.name, 'Prometheus lists every exporter of every application server as up');
  assert.match(
    String(failed?.output),
    new RegExp(`does not list these targets as up after 15s: ${app1().name}: redis ${app1().address.replace(/\./g, '\\.')}:9121 down\n`),
  );
});

test('a second run reports changed=0, and so does --check after it', { skip: skipUnlessRoot }, async () => {
  const r = await chom('apply2', ['playbooks/site.yml']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(tasksWithStatus(r.stdout, 'changed'), []);
  timings['app-tier-no-change-host3'] = appTierMs(r, moved().name);
  await recordCredentials();
  const c = await chom('check', ['playbooks/site.yml', '--check', '--diff']);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.deepEqual(tasksWithStatus(c.stdout, 'changed'), []);
  await recordCredentials();
});

test('the firewall is on and SSH still answers on port 2222 of the moved host', { skip: skipUnlessRoot }, async () => {
  const status = await sh(moved().name, 'ufw status verbose');
  assert.match(status, /Status: active/);
  assert.match(status, /Default: deny \(incoming\)/);
  assert.match(status, /^2222\/tcp\s+ALLOW IN\s+Anywhere/m);
  assert.match(status, new RegExp(`^9104/tcp\\s+ALLOW IN\\s+${obs().address.replace(/\./g, '\\.')}`, 'm'));
});

test(
  'MariaDB and Redis passwords are byte-identical across three runs and appear in no output, record or rendered script',
  { skip: skipUnlessRoot },
  async () => {
    assert.equal(creds.length, 6);
    assert.equal(new Set(creds.filter((_, i) => i % 2 === 0)).size, 1, creds.join('\n'));
    assert.equal(new Set(creds.filter((_, i) => i % 2 === 1)).size, 1, creds.join('\n'));
    assert.match(
      await sh(app1().name, 'stat -c "%a %U %G" /etc/redis/chom.conf /etc/chom/app/credentials.php'),
      /^640 redis redis\n640 root app\n$/,
    );
    const secrets = ['mariadb_app', 'redis'].map((n) => readFileSync(join(project, '.chom', 'secrets', n), 'utf8').trim());
    for (const s of secrets) assert.ok(s.length >= 16);
    const rendered = await runCli(['render', 'playbooks/site.yml', '-i', 'inventory/site', '-H', app1().name], project);
    assert.equal(rendered.code, 0, rendered.stderr);
    const records = readdirSync(join(project, '.chom', 'runs'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'));
    assert.ok(records.length > 0, 'run records exist');
    for (const s of secrets) {
      const b64 = Buffer.from(s).toString('base64').slice(0, 16);
      for (const text of [...outputs.flatMap((o) => [o.stdout, o.stderr]), rendered.stdout, rendered.stderr, ...records]) {
        assert.ok(!text.includes(s), 'a secret was printed or recorded');
        assert.ok(!text.includes(b64), 'a secret was printed or recorded in base64');
      }
    }
  },
);
