/**
 * Templates of the CHOM roles rendered with the variables a real inventory gives them. Grafana,
 * Loki and promtail cannot be installed on this machine (no route to their upstream sources),
 * so these renders plus `chom-play render` of the whole site are what checks those roles here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderTemplateFile } from '../../src/template/render.js';
import { createTemplateContext } from '../../src/template/context.js';
import type { Vars } from '../../src/inventory/model.js';
import { repoRoot, runCli } from '../e2e/harness.js';

const hostvars = {
  mon1: { ansible_host: '192.0.2.10' },
  web1: { ansible_host: '198.51.100.21', vpsmanager_sites: [{ name: 'shop', server_names: ['shop.example.com'] }] },
  web2: { ansible_host: '198.51.100.22' },
};
const base: Vars = {
  inventory_hostname: 'web1',
  groups: { all: ['mon1', 'web1', 'web2'], observability: ['mon1'], vpsmanager: ['web1', 'web2'] },
  hostvars,
  facts: { memory_mb: 2048 },
  loki_port: 3100,
  grafana_port: 3000,
  prometheus_port: 9090,
  alertmanager_port: 9093,
  node_exporter_port: 9100,
  mysqld_exporter_port: 9104,
  nginx_exporter_port: 9113,
  redis_exporter_port: 9121,
  vpsmanager_status_port: 8080,
  php_version: '8.2',
};
const tpl = (role: string, file: string, vars: Vars) => {
  const ctx = createTemplateContext(mkdtempSync(join(tmpdir(), 'chom-tpl-')), {}, { add: () => {} });
  return renderTemplateFile(join(repoRoot, 'roles', role, 'templates', file), { ...base, ...vars }, file, ctx);
};

test('Loki keeps chunks on the local filesystem and deletes logs after the retention', () => {
  const y = parse(tpl('loki', 'loki.yml.hbs', { loki_data_dir: '/var/lib/loki', loki_retention: '336h' })) as Record<string, Record<string, unknown>>;
  assert.equal(y.server.http_listen_port, 3100);
  assert.deepEqual(y.common.storage, { filesystem: { chunks_directory: '/var/lib/loki/chunks', rules_directory: '/var/lib/loki/rules' } });
  assert.equal((y.limits_config as Record<string, unknown>).retention_period, '336h');
  assert.equal(y.compactor.retention_enabled, true);
});

test('promtail ships the journal and nginx logs to Loki on the first observability host', () => {
  const y = parse(tpl('promtail', 'promtail.yml.hbs', { promtail_port: 9080 })) as { clients: Array<{ url: string }>; scrape_configs: Array<Record<string, unknown>> };
  assert.deepEqual(y.clients, [{ url: 'http://192.0.2.10:3100/loki/api/v1/push' }]);
  assert.deepEqual(y.scrape_configs.map((s) => s.job_name), ['journal', 'nginx']);
  assert.match(JSON.stringify(y.scrape_configs[1]), /\/var\/log\/nginx\/\*\.log/);
});

test('Grafana is provisioned with both datasources and a generated admin password', () => {
  const ds = parse(tpl('grafana', 'datasources.yml.hbs', {})) as { datasources: Array<{ name: string; url: string }> };
  assert.deepEqual(ds.datasources.map((d) => `${d.name} ${d.url}`), ['Prometheus http://127.0.0.1:9090', 'Loki http://127.0.0.1:3100']);
  const ini = tpl('grafana', 'grafana.ini.hbs', { grafana_admin_password_name: 'grafana_admin' });
  assert.match(ini, /^admin_password = [A-Za-z0-9]{32}$/m);
  assert.match(ini, /^http_addr = 127\.0\.0\.1$/m);
});

test('Prometheus scrapes every exporter of every app server, and each site\'s PHP-FPM status', () => {
  const y = parse(tpl('prometheus', 'prometheus.yml.hbs', {
    prometheus_scrape_interval: '15s', prometheus_scrape_group: 'all', prometheus_app_group: 'vpsmanager',
    prometheus_app_exporters: { mysqld: 'mysqld_exporter_port', nginx: 'nginx_exporter_port', redis: 'redis_exporter_port' },
    prometheus_default_sites: [{ name: 'app' }],
  })) as { scrape_configs: Array<{ job_name: string; metrics_path?: string; static_configs: Array<{ targets: string[] }> }> };
  const jobs = Object.fromEntries(y.scrape_configs.map((j) => [j.job_name, j]));
  assert.deepEqual(jobs.redis.static_configs.map((s) => s.targets[0]), ['198.51.100.21:9121', '198.51.100.22:9121']);
  assert.equal(jobs.phpfpm_web1_shop.metrics_path, '/fpm-status/shop');
  assert.equal(jobs.phpfpm_web2_app.static_configs[0].targets[0], '198.51.100.22:8080');
});

test('the list of targets the site checks up is exactly what prometheus.yml scrapes', () => {
  const vars = {
    prometheus_scrape_interval: '15s', prometheus_scrape_group: 'all', prometheus_app_group: 'vpsmanager',
    prometheus_app_exporters: { mysqld: 'mysqld_exporter_port', nginx: 'nginx_exporter_port', redis: 'redis_exporter_port' },
    prometheus_default_sites: [{ name: 'app' }],
  };
  const y = parse(tpl('prometheus', 'prometheus.yml.hbs', vars)) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels?: { host: string } }> }> };
  const scraped = y.scrape_configs
    .filter((j) => j.job_name !== 'prometheus')
    .flatMap((j) => j.static_configs.map((s) => `${j.job_name} ${s.targets[0]} ${s.labels?.host}`));
  const listed = tpl('prometheus', 'targets.txt.hbs', vars).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.deepEqual(listed.sort(), scraped.sort());
  assert.equal(listed.length, 3 + 2 * 3 + 2, 'node per host, 3 exporters and one PHP-FPM site per app server');
  assert.ok(listed.includes('mysqld 198.51.100.22:9104 web2'));
});

test('PHP-FPM pools, MariaDB and Redis take their sizes from the sizing row of the host\'s memory', () => {
  const row = { min_mb: 1536, max_mb: 3072, php_max_children: 8, innodb_mb: 384, redis_mb: 128 };
  const pools = tpl('php_fpm', 'pools.conf.hbs', { item: row, vpsmanager_sites: [{ name: 'a' }, { name: 'b' }] });
  assert.equal(pools.match(/^pm\.max_children = 8$/gm)?.length, 2);
  assert.match(pools, /^\[b\]\nuser = b$/m);
  assert.match(tpl('mariadb', 'sizing.cnf.hbs', { item: row }), /^innodb_buffer_pool_size = 384M$/m);
  assert.match(tpl('redis', 'chom.conf.hbs', { item: row, redis_password_name: 'redis', redis_maxmemory_policy: 'allkeys-lru' }), /^maxmemory 128mb$/m);
});

test('render of the whole site (log stack included) for this machine pins the upstream sources', { skip: process.getuid?.() === 0 ? false : 'gathers facts of this machine as root' }, async () => {
  // In a copy: render generates the credentials under <project>/.chom/secrets.
  const project = mkdtempSync(join(tmpdir(), 'chom-render-'));
  for (const d of ['playbooks', 'roles', 'templates', 'inventory']) cpSync(join(repoRoot, d), join(project, d), { recursive: true });
  const r = await runCli(['render', 'playbooks/site.yml', '-i', 'inventory/local', '-H', 'localhost'], project);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# task \d+: Loki archive from the release URL \(checksum-pinned\)/);
  assert.match(r.stdout, /# task \d+: Grafana has the Loki datasource/);
  assert.match(r.stdout, /# task \d+: promtail running and enabled/);
  assert.match(r.stdout, /# task \d+: Loki on the observability server answers from this server/);
});
