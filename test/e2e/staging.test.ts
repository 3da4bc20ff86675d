/**
 * Large copy sources go over SFTP on the host's own connection, not inside the script.
 * One plain lab host; needs root.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostExec, labDown, labUp, type Lab } from '../../src/lab/index.js';
import { recap, runCli, skipUnlessRoot, tasksWithStatus } from './harness.js';

const NAME = `stg${process.pid % 10000}`;
const blob = randomBytes(2 * 1024 * 1024 + 17);
const sum = createHash('sha256').update(blob).digest('hex');
let lab: Lab;
let project: string;

before(async () => {
  if (skipUnlessRoot) return;
  project = mkdtempSync(join(tmpdir(), 'chom-stage-'));
  mkdirSync(join(project, 'files'));
  writeFileSync(join(project, 'files', 'big.bin'), blob);
  writeFileSync(
    join(project, 'site.yml'),
    '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: Big binary\n      copy: {src: big.bin, dest: /opt/big.bin, mode: "0640"}\n',
  );
  lab = await labUp({ name: NAME, hosts: 1, inventoryDir: join(project, 'inv') });
});

after(async () => {
  if (!skipUnlessRoot) await labDown(NAME);
});

const host = () => lab.hosts[0].name;

test('the script does not carry a large file: render stays small', { skip: skipUnlessRoot }, async () => {
  const r = await runCli(['render', 'site.yml', '-i', 'inv', '-H', host(), '--no-facts'], project);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.length < 200_000, `script is ${r.stdout.length} bytes`);
  assert.match(r.stdout, new RegExp(sum));
});

test('check mode predicts the copy and uploads nothing', { skip: skipUnlessRoot }, async () => {
  const r = await runCli(['site.yml', '-i', 'inv', '--check', '-o', 'json'], project);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(tasksWithStatus(r.stdout, 'changed'), [`${host()}|Big binary`]);
  const st = await hostExec(
    lab,
    host(),
    'ls /var/cache/chom-play/stage 2>/dev/null | wc -l; test -e /opt/big.bin && echo present || echo absent',
  );
  assert.equal(st.stdout, '0\nabsent\n');
});

test(
  'the real run stages over SFTP, installs byte-exact, and a second run uploads nothing and changes nothing',
  { skip: skipUnlessRoot },
  async () => {
    const r1 = await runCli(['site.yml', '-i', 'inv', '-o', 'json'], project);
    assert.equal(r1.code, 0, r1.stdout + r1.stderr);
    const got = await hostExec(
      lab,
      host(),
      `sha256sum < /opt/big.bin; stat -c '%a' /opt/big.bin; stat -c '%Y' /var/cache/chom-play/stage/${sum}`,
    );
    const [hash, mode, stagedAt] = got.stdout.trim().split('\n');
    assert.equal(hash.split(' ')[0], sum);
    assert.equal(mode, '640');
    await new Promise((res) => setTimeout(res, 1100));
    const r2 = await runCli(['site.yml', '-i', 'inv', '-o', 'json'], project);
    assert.equal(r2.code, 0, r2.stdout + r2.stderr);
    assert.equal(recap(r2.stdout)[host()].changed, 0);
    const again = await hostExec(lab, host(), `stat -c '%Y' /var/cache/chom-play/stage/${sum}`);
    assert.equal(again.stdout.trim(), stagedAt, 'the staged file was uploaded again');
  },
);
