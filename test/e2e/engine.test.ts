/**
 * The core engine end to end: a two-role playbook exercising every module, applied over real
 * SSH to 3 lab hosts booted with systemd. Needs root (skipped with the reason otherwise).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { fixtureProject, recap, runCli, skipUnlessRoot, tasksWithStatus, treeHash, jsonEvents, type CliResult } from './harness.js';

const NAME = `eng${process.pid % 10000}`;
const TOKEN = `tok-${randomBytes(8).toString('hex')}-secret`;
const artifact = randomBytes(4096);
let lab: Lab;
let project: string;
let server: Server;
let extra: string[];
const outputs: CliResult[] = [];

async function chom(args: string[]): Promise<CliResult> {
  const r = await runCli([...args, ...extra], project);
  outputs.push(r);
  return r;
}

before(async () => {
  if (skipUnlessRoot) return;
  lab = await labUp({ name: NAME, hosts: 3, systemd: true, inventoryDir: join(fixtureProjectDir(), 'inventory', 'lab') });
  const gateway = lab.hosts[0].address.replace(/\.\d+$/, '.1');
  server = createServer((req, res) => {
    if (req.url === '/artifact.bin') res.end(artifact);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, gateway, r));
  const port = (server.address() as { port: number }).port;
  writeFileSync(join(project, '.env'), `DEMO_TOKEN=${TOKEN}\n`);
  extra = ['-e', `artifact_host=${gateway}:${port}`, '-e', `artifact_sha256=${createHash('sha256').update(artifact).digest('hex')}`];
});

function fixtureProjectDir(): string {
  project ??= fixtureProject('engine');
  mkdirSync(join(project, 'inventory'), { recursive: true });
  return project;
}

after(async () => {
  server?.close();
  await labDown(NAME);
});

const inv = ['-i', 'inventory/lab'];
const hosts = () => lab.hosts.map((h) => h.name);
let predicted: string[] = [];

test('--check before the first run changes nothing on the hosts', { skip: skipUnlessRoot }, async () => {
  const before = await Promise.all(hosts().map((h) => treeHash(lab, h)));
  const r = await chom(['site.yml', ...inv, '--check', '--diff', '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const afterHashes = await Promise.all(hosts().map((h) => treeHash(lab, h)));
  assert.deepEqual(afterHashes, before);
  predicted = tasksWithStatus(r.stdout, 'changed');
  assert.ok(predicted.length >= 3 * 15, `expected most tasks to be predicted as changed, got ${predicted.length}`);
});

test('the first run applies cleanly and changes exactly what --check predicted', { skip: skipUnlessRoot }, async () => {
  const r = await chom(['site.yml', ...inv, '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(tasksWithStatus(r.stdout, 'failed'), []);
  const changed = tasksWithStatus(r.stdout, 'changed').filter((t) => !t.includes('|restart demo'));
  assert.deepEqual(
    changed,
    predicted.filter((t) => !t.includes('|restart demo')),
  );
});

test('every managed file has the expected content, owner and mode', { skip: skipUnlessRoot }, async () => {
  for (const h of hosts()) {
    const st = await hostExec(
      lab,
      h,
      [
        'stat -c "%n %U %G %a" /srv/demo /srv/demo/conf /srv/demo/hello.txt /srv/demo/conf/demo.env /srv/demo/conf/settings.ini /srv/demo/conf/app.conf /etc/systemd/system/demo.service /srv/demo/artifact.bin',
        'readlink /srv/demo/current',
        'test ! -e /srv/demo/stale.txt && echo no-stale',
        'test -e /srv/demo/data/.initialised && echo initialised',
        "dpkg-query -W -f='${Status}\\n' tree",
        'systemctl is-active demo; systemctl is-enabled demo',
        'id -u demo >/dev/null && getent passwd demo | cut -d: -f6,7',
      ].join('; '),
    );
    assert.equal(st.code, 0, st.stderr);
    const out = st.stdout;
    assert.match(out, /^\/srv\/demo demo demo 750$/m);
    assert.match(out, /^\/srv\/demo\/conf demo demo 750$/m);
    assert.match(out, /^\/srv\/demo\/hello.txt root root 644$/m);
    assert.match(out, /^\/srv\/demo\/conf\/demo.env demo demo 640$/m);
    assert.match(out, /^\/srv\/demo\/conf\/app.conf demo demo 640$/m);
    assert.match(out, /^\/etc\/systemd\/system\/demo.service root root 644$/m);
    assert.match(out, /^\/srv\/demo\/artifact.bin root root 644$/m);
    assert.match(out, /^\/srv\/demo\/conf$/m);
    assert.match(out, /^no-stale$/m);
    assert.match(out, /^initialised$/m);
    assert.match(out, /^install ok installed$/m);
    assert.match(out, /^active\nenabled$/m);
    assert.match(out, /^\/srv\/demo:\/usr\/sbin\/nologin$/m);
    const settings = await hostExec(lab, h, 'cat /srv/demo/conf/settings.ini');
    assert.equal(
      settings.stdout,
      'port=8080\nmode=production\n# BEGIN ANSIBLE MANAGED BLOCK\n[limits]\nfiles=1024\n# END ANSIBLE MANAGED BLOCK\n',
    );
    const conf = await hostExec(lab, h, 'cat /srv/demo/conf/app.conf');
    assert.equal(conf.stdout, `# demo & friends (no HTML escaping here)\nlisten=8080\npeers=${hosts().join(',')}\ntoken=${TOKEN}\n`);
    const sum = await hostExec(lab, h, 'sha256sum < /srv/demo/artifact.bin');
    assert.equal(sum.stdout.split(' ')[0], createHash('sha256').update(artifact).digest('hex'));
  }
});

test('a second run reports changed=0 on every host', { skip: skipUnlessRoot }, async () => {
  const r = await chom(['site.yml', ...inv, '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const rc = recap(r.stdout);
  assert.deepEqual(Object.keys(rc).sort(), hosts().sort());
  for (const h of hosts()) assert.equal(rc[h].changed, 0, `${h}: ${tasksWithStatus(r.stdout, 'changed').join(', ')}`);
});

test('--check on deployed hosts reports changed=0 and changes nothing', { skip: skipUnlessRoot }, async () => {
  const before = await Promise.all(hosts().map((h) => treeHash(lab, h)));
  const r = await chom(['site.yml', ...inv, '--check', '--diff', '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const [h, s] of Object.entries(recap(r.stdout))) assert.equal(s.changed, 0, h);
  assert.deepEqual(await Promise.all(hosts().map((h) => treeHash(lab, h))), before);
});

test('--tags selects exactly the tagged tasks and `always` ones; --limit exactly the hosts', { skip: skipUnlessRoot }, async () => {
  const r = await chom(['site.yml', ...inv, '--tags', 'packages', '--limit', `${NAME}-1:${NAME}-3`, '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ran = jsonEvents(r.stdout)
    .filter((e) => e.event === 'task')
    .map((e) => `${e.host}|${e.name}`)
    .sort();
  const expected = [`${NAME}-1`, `${NAME}-3`].flatMap((h) => [`${h}|A small Debian package`, `${h}|Marker written by every run`]).sort();
  assert.deepEqual(ran, expected);
  assert.deepEqual(Object.keys(recap(r.stdout)).sort(), [`${NAME}-1`, `${NAME}-3`]);
});

test('a changed host key refuses that host while the others proceed (exit 4)', { skip: skipUnlessRoot }, async () => {
  const khFile = join(project, 'inventory', 'lab', 'known_hosts');
  const original = readFileSync(khFile, 'utf8');
  const lines = original.trim().split('\n');
  // host 2 now "presents" host 1's key: what a man in the middle would look like
  const key1 = lines[0].split(' ').slice(1).join(' ');
  lines[1] = `${lines[1].split(' ')[0]} ${key1}`;
  writeFileSync(khFile, lines.join('\n') + '\n');
  try {
    const r = await chom(['site.yml', ...inv, '--output', 'json']);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    const rc = recap(r.stdout);
    assert.equal(rc[`${NAME}-2`].unreachable, 1);
    assert.equal(rc[`${NAME}-1`].unreachable, 0);
    assert.equal(rc[`${NAME}-3`].failed, 0);
    assert.match(r.stdout, /host key of [0-9.]+ has CHANGED/);
  } finally {
    writeFileSync(khFile, original);
  }
});

test('a failing task fails its host with file:line and the exit code explained (exit 2)', { skip: skipUnlessRoot }, async () => {
  writeFileSync(
    join(project, 'playbooks', 'fail.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Broken command\n      command: /bin/sh -c "echo about to fail; exit 3"\n    - name: Never reached\n      copy: {content: "x", dest: /srv/demo/never}\n',
  );
  const r = await chom(['fail.yml', ...inv]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /failed: \[\S+-1\] Broken command \(playbooks\/fail.yml:4:7\)/);
  assert.match(r.stdout, /exit code: 3/);
  assert.match(r.stdout, /about to fail/);
  const never = await hostExec(lab, `${NAME}-1`, 'test -e /srv/demo/never && echo present || echo absent');
  assert.equal(never.stdout.trim(), 'absent');
});

test('the .env secret never appears in output or diffs', { skip: skipUnlessRoot }, async () => {
  // a new port makes app.conf differ: its diff shows the token line as context
  const r = await chom(['site.yml', ...inv, '--check', '--diff', '-e', 'app_port=9090']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /\+listen=9090/);
  assert.match(r.stdout, /token=\*{8}/);
  for (const o of outputs) {
    assert.ok(!o.stdout.includes(TOKEN) && !o.stderr.includes(TOKEN), 'secret leaked into output');
  }
});
