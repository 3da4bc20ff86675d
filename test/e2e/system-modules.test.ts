/**
 * user, group, apt and systemd applied for real on lab hosts (never on this machine), through
 * the same script the CLI builds (real prelude and task runner), run inside the host.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import type { ModuleDef } from '../../src/modules/types.js';
import user from '../../src/modules/user.js';
import group from '../../src/modules/group.js';
import apt from '../../src/modules/apt.js';
import systemd from '../../src/modules/systemd.js';
import shell from '../../src/modules/shell.js';
import getUrl from '../../src/modules/get_url.js';
import { runTasks, type TaskResult } from '../system-modules/run.js';

const skip = process.getuid?.() === 0 ? false : 'needs root: the lab creates namespaces and mounts';
type T = [ModuleDef, Record<string, unknown>];

function onHost(getLab: () => Lab, host: string) {
  const exec = (script: string) => hostExec(getLab(), host, script);
  return {
    run: (tasks: T[], check = false): Promise<TaskResult[]> => runTasks(tasks, { check, exec }),
    sh: async (cmd: string): Promise<string> => (await hostExec(getLab(), host, cmd)).stdout.trim(),
  };
}

const statuses = (rs: TaskResult[]) => rs.map((r) => r.status);

describe('user, group and apt on a plain lab host', { skip }, () => {
  const NAME = `sysmod${process.pid % 10000}`;
  let lab: Lab;
  const h = onHost(() => lab, `${NAME}-1`);
  before(async () => {
    await labDown(NAME);
    lab = await labUp({ name: NAME, hosts: 1, inventoryDir: mkdtempSync(join(tmpdir(), 'chom-sysmod-inv-')) });
  });
  after(() => labDown(NAME));

  const COMMENT = `it's "$(touch /tmp/pwned)" ünïcødé`;
  const create: T[] = [
    [group, { name: 'app', gid: 2345 }],
    [
      user,
      { name: 'appuser', uid: 2345, group: 'app', groups: ['app'], shell: '/bin/bash', comment: COMMENT, password: '$6$first$HashOne' },
    ],
  ];

  test('check mode predicts group then user, and creates nothing', async () => {
    const rs = await h.run(create, true);
    assert.deepEqual(statuses(rs), ['changed', 'changed'], JSON.stringify(rs));
    assert.match(rs[1].msg, /would create user appuser/);
    assert.equal(await h.sh('getent group app; getent passwd appuser; true'), '');
  });

  test('creates the group and the user byte-exact, then a second run is ok', async () => {
    assert.deepEqual(statuses(await h.run(create)), ['changed', 'changed']);
    assert.equal(await h.sh('getent passwd appuser'), `appuser:x:2345:2345:${COMMENT}:/home/appuser:/bin/bash`);
    assert.equal(await h.sh('getent group app'), 'app:x:2345:appuser');
    assert.equal(await h.sh('getent shadow appuser | cut -d: -f2'), '$6$first$HashOne');
    assert.equal(await h.sh('test -d /home/appuser && test ! -e /tmp/pwned && echo yes'), 'yes');
    assert.deepEqual(statuses(await h.run(create)), ['ok', 'ok']);
  });

  test('changes only the attributes that differ and never prints the password', async () => {
    const hash = '$6$saltsalt$Q0u1ckHashValueForTests';
    const t: T[] = [[user, { name: 'appuser', shell: '/bin/sh', password: hash, groups: 'adm', append: true }]];
    const [r] = await h.run(t);
    assert.equal(r.status, 'changed');
    assert.match(r.msg, /shell \/bin\/bash -> \/bin\/sh/);
    assert.match(r.msg, /added to groups adm/);
    assert.ok(!r.msg.includes(hash) && !r.output.includes(hash));
    assert.equal(await h.sh('getent shadow appuser | cut -d: -f2'), hash);
    assert.equal(await h.sh('id -nG appuser'), 'app adm');
    assert.equal((await h.run(t))[0].status, 'ok');
    const [only] = await h.run([[user, { name: 'appuser', groups: [] }]]);
    assert.equal(only.status, 'changed');
    assert.equal(await h.sh('id -nG appuser'), 'app');
  });

  test('a missing group fails the same way in check mode and for real', async () => {
    const t: T[] = [[user, { name: 'nogroup-user', group: 'nosuchgroup' }]];
    for (const check of [true, false]) {
      const [r] = await h.run(t, check);
      assert.equal(r.status, 'failed');
      assert.match(r.msg, /group nosuchgroup does not exist/);
    }
  });

  test('removes user (with home) and group, then reports ok', async () => {
    const t: T[] = [
      [user, { name: 'appuser', state: 'absent', remove: true }],
      [group, { name: 'app', state: 'absent' }],
    ];
    assert.deepEqual(statuses(await h.run(t, true)), ['changed', 'changed']);
    assert.equal(await h.sh('getent passwd appuser | cut -d: -f1'), 'appuser');
    assert.deepEqual(statuses(await h.run(t)), ['changed', 'changed']);
    assert.equal(await h.sh('getent passwd appuser; getent group app; test -e /home/appuser && echo home; true'), '');
    assert.deepEqual(statuses(await h.run(t)), ['ok', 'ok']);
  });

  test('apt installs a small package once, check mode installs nothing, absent removes it', async () => {
    const install: T[] = [[apt, { name: 'tree', update_cache: true, cache_valid_time: 3600 }]];
    const [c] = await h.run(install, true);
    assert.equal(c.status, 'changed');
    assert.match(c.msg, /would install: tree/);
    const installed = () => h.sh("dpkg-query -W -f='${db:Status-Abbrev}' tree 2>/dev/null; true");
    assert.notEqual(await installed(), 'ii');
    const [r] = await h.run(install);
    assert.equal(r.status, 'changed', r.output);
    assert.match(r.msg, /installed: tree/);
    assert.equal(await installed(), 'ii');
    const [again] = await h.run(install);
    assert.equal(again.status, 'ok', again.msg);
    assert.match(again.msg, /apt cache is \d+s old/);
    const remove: T[] = [[apt, { name: 'tree', state: 'absent' }]];
    assert.equal((await h.run(remove))[0].status, 'changed');
    assert.notEqual(await installed(), 'ii');
    assert.equal((await h.run(remove))[0].status, 'ok');
  });

  test("apt fails on an unknown package with apt's own message, in check mode too", async () => {
    for (const check of [false, true]) {
      const [r] = await h.run([[apt, { name: ['tree', 'no-such-package-chom'] }]], check);
      assert.equal(r.status, 'failed', `check=${check}`);
      assert.match(r.msg, /Unable to locate package no-such-package-chom/);
    }
  });

  test('get_url downloads from the machine over the lab network, verified, then ok', async () => {
    // The host's default gateway is this machine's end of the lab bridge.
    const gw = await h.sh("ip route | awk '/^default/ {print $3; exit}'");
    assert.match(gw, /^198\.1[89]\./);
    const body = 'served to the lab host\n';
    const server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, gw, r));
    try {
      const url = `http://${gw}:${(server.address() as AddressInfo).port}/file.txt`;
      const t: T[] = [
        [getUrl, { url, dest: '/root/file.txt', checksum: `sha256:${createHash('sha256').update(body).digest('hex')}`, mode: '0600' }],
      ];
      const [r] = await h.run(t);
      assert.equal(r.status, 'changed', r.output);
      assert.equal(await h.sh('stat -c %a /root/file.txt; cat /root/file.txt; ls -A /root | grep -c chom; true'), `600\n${body.trim()}\n0`);
      assert.equal((await h.run(t))[0].status, 'ok');
    } finally {
      server.close();
    }
  });

  test('systemd module refuses clearly on a host without systemd', async () => {
    const [r] = await h.run([[systemd, { name: 'ssh', state: 'started' }]]);
    assert.equal(r.status, 'failed');
    assert.match(r.msg, /systemd is not running on this host \(PID 1 is .+\): cannot manage unit ssh/);
  });
});

describe('systemd on a systemd lab host', { skip }, () => {
  const NAME = `sysmodsd${process.pid % 10000}`;
  let lab: Lab;
  const h = onHost(() => lab, `${NAME}-1`);
  before(async () => {
    await labDown(NAME);
    lab = await labUp({ name: NAME, hosts: 1, systemd: true, inventoryDir: mkdtempSync(join(tmpdir(), 'chom-sysmod-inv-')) });
  });
  after(() => labDown(NAME));

  const unitFile = (name: string, exec: string) =>
    [
      shell,
      { cmd: `printf '[Service]\\nExecStart=${exec}\\n[Install]\\nWantedBy=multi-user.target\\n' > /etc/systemd/system/${name}.service` },
    ] as T;

  test('starts and enables a unit once, stops it, restarts always', async () => {
    const up: T[] = [[systemd, { name: 'chomtest', state: 'started', enabled: true, daemon_reload: true }]];
    await h.run([unitFile('chomtest', '/bin/sleep infinity')]);
    const [c] = await h.run(up, true);
    assert.equal(c.status, 'changed');
    assert.equal(await h.sh('systemctl is-active chomtest; true'), 'inactive');
    const [r] = await h.run(up);
    assert.equal(r.status, 'changed', r.output);
    assert.equal(await h.sh('systemctl is-active chomtest; systemctl is-enabled chomtest'), 'active\nenabled');
    assert.equal((await h.run(up))[0].status, 'ok');
    const [re] = await h.run([[systemd, { name: 'chomtest', state: 'restarted' }]]);
    assert.equal(re.status, 'changed');
    const down: T[] = [[systemd, { name: 'chomtest', state: 'stopped', enabled: false }]];
    assert.equal((await h.run(down, true))[0].status, 'changed');
    assert.equal(await h.sh('systemctl is-active chomtest; true'), 'active');
    assert.equal((await h.run(down))[0].status, 'changed');
    assert.equal(await h.sh('systemctl is-active chomtest; systemctl is-enabled chomtest; true'), 'inactive\ndisabled');
    assert.equal((await h.run(down))[0].status, 'ok');
  });

  test('a unit that fails to start fails the task with its journal', async () => {
    await h.run([unitFile('chomfail', '/bin/sh -c "echo boom-from-unit; exit 3"')]);
    const t0 = Date.now();
    const [r] = await h.run([[systemd, { name: 'chomfail', state: 'started', daemon_reload: true, timeout: 10 }]]);
    assert.equal(r.status, 'failed');
    assert.ok(Date.now() - t0 < 20_000, 'bounded wait');
    assert.match(r.msg, /unit chomfail did not become active/);
    assert.match(r.msg, /journalctl -u chomfail/);
    assert.match(r.msg, /boom-from-unit/);
  });

  test('a unit that does not exist fails, unless check mode (an earlier task may install it)', async () => {
    const t: T[] = [[systemd, { name: 'nosuchunit', state: 'started' }]];
    assert.match((await h.run(t))[0].msg, /unit nosuchunit not found/);
    assert.equal((await h.run(t, true))[0].status, 'changed');
  });
});
