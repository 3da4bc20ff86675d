/**
 * Host-side failure safety end to end, over real SSH to 2 plain lab hosts: rollback restores the
 * tree, one run at a time per host (and a killed run's lock is taken over), disk full keeps the
 * old file, apt waits for a held dpkg lock, retries/until converge, timeouts kill the whole task.
 *
 * Tree comparison: chom-play's own state (journal, lock, rolled-back marker under
 * /var/lib/chom-play, backups under /var/backups/chom-play) is kept after a rollback for audit,
 * so it is left out of the hash; everything else harness.treeHash covers is compared.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { runCli, skipUnlessRoot, tasksWithStatus, type CliResult } from './harness.js';

const NAME = `safety-host-${process.pid % 10000}`;
const H1 = `${NAME}-1`;
const H2 = `${NAME}-2`;
let lab: Lab;
let project: string;
const skip = skipUnlessRoot;

function chom(args: string[]): Promise<CliResult> {
  return runCli([...args, '-i', 'inventory'], project);
}

function play(file: string, body: string): string {
  writeFileSync(join(project, file), body);
  return file;
}

async function sh(host: string, cmd: string): Promise<string> {
  const r = await hostExec(lab, host, cmd);
  assert.equal(r.code, 0, `${host}: ${cmd}: ${r.stderr}`);
  return r.stdout;
}

/** treeHash of the harness minus chom-play's own state dirs (see the header). */
function stateHash(host: string): Promise<string> {
  return sh(
    host,
    [
      'cd / && find etc srv opt usr/local root home var/lib/dpkg var/backups var/lib/chom-play -xdev',
      '\\( -path var/lib/chom-play -o -path var/backups/chom-play -o -path etc/ld.so.cache -o -path root/.bash_history \\) -prune -o',
      "-printf '%p %M %u %g %s %l\\n' 2>/dev/null | sort | sha256sum;",
      'find etc srv opt usr/local home -xdev -type f 2>/dev/null | sort | xargs -r sha256sum | sha256sum;',
      'getent passwd | sha256sum; getent group | sha256sum',
    ].join(' '),
  );
}

async function waitFor(what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let sysLab: Lab | undefined;
const SYS = `${NAME}s`;

before(async () => {
  if (skip) return;
  project = mkdtempSync(join(tmpdir(), 'chom-safety-host-'));
  mkdirSync(join(project, 'files'));
  writeFileSync(join(project, 'files', 'big.conf'), 'x'.repeat(200 * 1024));
  lab = await labUp({ name: NAME, hosts: 2, inventoryDir: join(project, 'inventory') });
});

after(async () => {
  if (skip) return;
  await labDown(NAME);
  if (sysLab) await labDown(SYS);
});

test('rollback restores the tree exactly after 5 modified files, 2 created files, a directory and a user', { skip }, async () => {
  await sh(H1, 'mkdir -p /etc/rb && for f in a b c d e; do echo "old $f" > /etc/rb/$f; done && chmod 0644 /etc/rb/*');
  const pb = play(
    'changes.yml',
    `- hosts: ${H1}
  gather_facts: false
  tasks:
    - name: modify
      copy: { dest: "/etc/rb/{{ item }}", content: "new {{ item }}\\n", mode: "0600" }
      loop: [a, b, c, d, e]
    - name: create
      copy: { dest: "/srv/{{ item }}.conf", content: "created\\n" }
      loop: [n1, n2]
    - file: { path: /srv/rbdir, state: directory, mode: "0750" }
    - user: { name: rbuser }
`,
  );
  const before = await stateHash(H1);
  const r = await chom([pb, '--output', 'json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(tasksWithStatus(r.stdout, 'changed').length, 9);
  const changed = await stateHash(H1);
  assert.notEqual(changed, before);

  const c = await chom(['rollback', '--limit', H1, '--check']);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /would remove user rbuser and its home/);
  assert.equal(await stateHash(H1), changed, 'rollback --check changed the host');

  const rb = await chom(['rollback', '--limit', H1]);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  assert.match(rb.stdout, /restored \/etc\/rb\/a/);
  assert.match(rb.stdout, /deleted \/srv\/n1\.conf/);
  assert.match(rb.stdout, /removed directory \/srv\/rbdir/);
  assert.equal(await stateHash(H1), before, 'the tree after rollback differs from the one before the run');

  const again = await chom(['rollback', '--limit', H1]);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /nothing to roll back: run \S+ was already rolled back/);
});

test('a second concurrent run is refused naming the holder; it changes nothing', { skip }, async () => {
  const slow = play('slow.yml', `- hosts: ${H2}\n  gather_facts: false\n  tasks:\n    - command: sleep 6\n`);
  const other = play('other.yml', `- hosts: ${H2}\n  gather_facts: false\n  tasks:\n    - copy: { dest: /srv/second-ran, content: "x" }\n`);
  const first = chom([slow]);
  await waitFor('the first run to hold the lock', async () =>
    /run=/.test((await hostExec(lab, H2, 'cat /var/lib/chom-play/lock 2>/dev/null')).stdout),
  );
  const holder = (await sh(H2, 'sed -n s/^run=//p /var/lib/chom-play/lock')).trim();
  const second = await chom([other]);
  assert.equal(second.code, 2, second.stdout + second.stderr);
  const out = second.stdout + second.stderr;
  assert.match(out, new RegExp(`run ${holder} by \\S+ from \\S+ since \\d{4}-\\d\\d-\\d\\dT`), out);
  assert.equal((await hostExec(lab, H2, 'test -e /srv/second-ran')).code, 1, 'the refused run changed the host');
  const f = await first;
  assert.equal(f.code, 0, f.stdout + f.stderr);
  assert.equal(await sh(H2, 'cat /var/lib/chom-play/lock'), '', 'the lock is released at the end');
});

test('the lock of a killed run is taken over, saying whose it was', { skip }, async () => {
  const slow = play('slow30.yml', `- hosts: ${H2}\n  gather_facts: false\n  tasks:\n    - command: sleep 30\n`);
  const first = chom([slow]);
  await waitFor('the run to hold the lock', async () =>
    /run=/.test((await hostExec(lab, H2, 'cat /var/lib/chom-play/lock 2>/dev/null')).stdout),
  );
  const holder = (await sh(H2, 'sed -n s/^run=//p /var/lib/chom-play/lock')).trim();
  await sh(H2, 'kill -KILL "$(sed -n s/^pid=//p /var/lib/chom-play/lock)"');
  const f = await first;
  assert.notEqual(f.code, 0, 'the killed run should not report success');
  const r = await chom([play('noop.yml', `- hosts: ${H2}\n  gather_facts: false\n  tasks:\n    - command: "true"\n`)]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, new RegExp(`took over the lock left by run ${holder} by \\S+ from \\S+ since .*its process is gone`));
});

test('a write that hits a full filesystem fails as "disk full" and keeps the old file', { skip }, async () => {
  await sh(H1, 'mkdir -p /srv/tiny && mount -t tmpfs -o size=64k tmpfs /srv/tiny && printf "old\\n" > /srv/tiny/app.conf');
  try {
    const r = await chom([
      play('tiny.yml', `- hosts: ${H1}\n  gather_facts: false\n  tasks:\n    - copy: { src: big.conf, dest: /srv/tiny/app.conf }\n`),
    ]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /disk full: cannot write \/srv\/tiny\/app\.conf: \/srv\/tiny has \d+ KB free, the new content needs 200 KB; the previous file is intact/,
    );
    assert.equal(await sh(H1, 'cat /srv/tiny/app.conf'), 'old\n');
    assert.equal((await sh(H1, 'ls -A /srv/tiny')).trim(), 'app.conf', 'a temp file was left behind');
  } finally {
    await hostExec(lab, H1, 'umount /srv/tiny');
  }
});

test('a host with less free space than min_disk_free_mb fails before any change, with path and numbers', { skip }, async () => {
  const r = await chom([
    play(
      'disk.yml',
      `- hosts: ${H1}\n  gather_facts: false\n  min_disk_free_mb: 999999999\n  tasks:\n    - copy: { dest: /srv/disk-ran, content: "x" }\n`,
    ),
  ]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /disk full: \/ \(filesystem \/\) has \d+ MB free, the play needs 999999999 MB/);
  assert.equal((await hostExec(lab, H1, 'test -e /srv/disk-ran')).code, 1);
});

test('apt waits while another process holds the dpkg lock, then installs', { skip }, async () => {
  await sh(H2, 'setsid flock /var/lib/dpkg/lock-frontend sleep 8 </dev/null >/dev/null 2>&1 & sleep 0.5');
  const t0 = Date.now();
  const r = await chom([play('apt.yml', `- hosts: ${H2}\n  gather_facts: false\n  tasks:\n    - apt: { name: sl }\n`), '-v']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /waited [3-9] s for the package-manager lock held by flock \(pid \d+\); installed: sl/);
  assert.ok(Date.now() - t0 > 5000);
  assert.match(await sh(H2, "dpkg-query -W -f='${Status}' sl"), /install ok installed/);
});

test('retries/until converge on the registered result; a timeout kills the hung task and its children', { skip }, async () => {
  const r = await chom([
    play(
      'retry.yml',
      `- hosts: ${H1}
  gather_facts: false
  tasks:
    - name: count
      shell: "n=$(cat /tmp/cnt 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/cnt; echo $n"
      register: r
      until: r.stdout == "3"
      retries: 5
      delay: 1
      changed_when: false
    - name: hang
      shell: "sleep 1000 & sleep 1001"
      timeout: 2
`,
    ),
    '--output',
    'json',
  ]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.deepEqual(tasksWithStatus(r.stdout, 'ok'), [`${H1}|count`]);
  assert.equal(await sh(H1, 'cat /tmp/cnt'), '3\n');
  assert.deepEqual(tasksWithStatus(r.stdout, 'failed'), [`${H1}|hang`]);
  assert.match(r.stdout, /timed out after 2 s/);
  assert.equal((await sh(H1, "ps -eo args | grep -cE '^sleep 100[01]$' || true")).trim(), '0', 'a process of the timed-out task survived');
});

test('rollback_on_failure: a failed task rolls the host back in the same run', { skip }, async () => {
  const before = await stateHash(H2);
  const r = await chom([
    play(
      'rof.yml',
      `- hosts: ${H2}
  gather_facts: false
  rollback_on_failure: true
  tasks:
    - copy: { dest: /srv/rof.conf, content: "half done" }
    - file: { path: /srv/rofdir, state: directory }
    - command: /bin/false
`,
    ),
  ]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.equal(await stateHash(H2), before, 'the failed run left changes behind');
  assert.match(await sh(H2, 'ls /var/lib/chom-play/runs'), /\.rolled-back/);
});

test('rollback stops and disables a unit the run enabled and started, and removes its unit file (systemd host)', { skip }, async () => {
  sysLab = await labUp({ name: SYS, hosts: 1, systemd: true, inventoryDir: join(project, 'inventory-sys') });
  const host = `${SYS}-1`;
  const shs = async (cmd: string) => (await hostExec(sysLab!, host, cmd)).stdout.trim();
  const pb = play(
    'unit.yml',
    `- hosts: all
  gather_facts: false
  tasks:
    - copy:
        dest: /etc/systemd/system/rbdemo.service
        content: "[Service]\\nExecStart=/bin/sleep infinity\\n[Install]\\nWantedBy=multi-user.target\\n"
    - systemd: { name: rbdemo, daemon_reload: yes, enabled: yes, state: started }
`,
  );
  const hash = () => shs('cd / && find etc -xdev -printf "%p %M %u %g %s %l\\n" | sort | sha256sum');
  const before = await hash();
  const r = await runCli([pb, '-i', 'inventory-sys'], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await shs('systemctl is-active rbdemo; systemctl is-enabled rbdemo'), 'active\nenabled');
  const rb = await runCli(['rollback', '-i', 'inventory-sys'], project);
  assert.equal(rb.code, 0, rb.stdout + rb.stderr);
  assert.match(rb.stdout, /stop unit rbdemo: done/);
  assert.match(rb.stdout, /disable unit rbdemo: done/);
  assert.equal(await shs('systemctl is-active rbdemo || true'), 'inactive');
  assert.equal(await shs('test -e /etc/systemd/system/rbdemo.service && echo left || echo gone'), 'gone');
  assert.equal(await hash(), before, '/etc differs from before the run');
});
