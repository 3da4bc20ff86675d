import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import getUrl from './get_url.js';
import { ModuleArgError } from './types.js';
import { compileWith, EVIL, syntaxError } from '../../test/system-modules/harness.js';
import { localExecWith, runTask, tempDir } from '../../test/system-modules/run.js';

const BODY = 'payload from the test server\n';
const SHA = createHash('sha256').update(BODY).digest('hex');
let server: Server;
let base = '';
/** Requests seen per path; /flaky answers 500 twice, then 200. */
const hits = new Map<string, number>();

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    if (path === '/flaky' && n <= 2) {
      res.writeHead(500);
      res.end('boom');
      return;
    }
    if (path === '/missing') {
      res.writeHead(404);
      res.end('no');
      return;
    }
    if (path === '/header') {
      res.writeHead(200);
      res.end(String(req.headers['x-token']));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(BODY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('get_url downloads once, a second run with the checksum is ok without any request', async () => {
  const dest = join(tempDir(), 'f.txt');
  const args = { url: `${base}/file`, dest, checksum: `sha256:${SHA}`, mode: '0640' };
  const first = await runTask(getUrl, args);
  assert.equal(first.status, 'changed', first.stderr);
  assert.equal(readFileSync(dest, 'utf8'), BODY);
  assert.equal(statSync(dest).mode & 0o777, 0o640);
  const before = hits.get('/file');
  const second = await runTask(getUrl, args);
  assert.equal(second.status, 'ok');
  assert.equal(hits.get('/file'), before, 'no download when the checksum matches');
});

test('get_url without checksum keeps an existing dest unless force', async () => {
  const dest = join(tempDir(), 'f.txt');
  writeFileSync(dest, 'old');
  assert.equal((await runTask(getUrl, { url: `${base}/file`, dest })).status, 'ok');
  assert.equal(readFileSync(dest, 'utf8'), 'old');
  assert.equal((await runTask(getUrl, { url: `${base}/file`, dest, force: true })).status, 'changed');
  assert.equal(readFileSync(dest, 'utf8'), BODY);
  assert.equal((await runTask(getUrl, { url: `${base}/file`, dest, force: true })).status, 'ok', 'same content: ok');
});

test('get_url retries a 500 and succeeds on the third try', async () => {
  const dest = join(tempDir(), 'flaky.txt');
  const r = await runTask(getUrl, { url: `${base}/flaky`, dest });
  assert.equal(r.status, 'changed', r.stderr);
  assert.equal(hits.get('/flaky'), 3);
  assert.equal(readFileSync(dest, 'utf8'), BODY);
});

test('get_url with a wrong checksum fails and leaves no file, not even a temp file', async () => {
  const dir = tempDir();
  const dest = join(dir, 'bad.txt');
  const r = await runTask(getUrl, { url: `${base}/file`, dest, checksum: `sha256:${'0'.repeat(64)}` });
  assert.equal(r.status, 'failed');
  assert.match(r.stderr, /checksum mismatch/);
  assert.deepEqual(readdirSync(dir), []);
});

test('get_url does not retry a 404 and names the HTTP status', async () => {
  const dir = tempDir();
  const r = await runTask(getUrl, { url: `${base}/missing`, dest: join(dir, 'm') });
  assert.equal(r.status, 'failed');
  assert.match(r.stderr, /404/);
  assert.equal(hits.get('/missing'), 1);
  assert.deepEqual(readdirSync(dir), []);
});

test('get_url into a directory names the file after the URL, and sends headers', async () => {
  const dir = tempDir();
  assert.equal((await runTask(getUrl, { url: `${base}/header`, dest: dir, headers: { 'X-Token': `it's "x"` } })).status, 'changed');
  assert.equal(readFileSync(join(dir, 'header'), 'utf8'), `it's "x"`);
});

test('get_url in check mode downloads nothing and says it would', async () => {
  const dir = tempDir();
  const before = hits.get('/check') ?? 0;
  const r = await runTask(getUrl, { url: `${base}/check`, dest: join(dir, 'c') }, { check: true });
  assert.equal(r.status, 'changed');
  assert.match(r.msg, /would download/);
  assert.equal(existsSync(join(dir, 'c')), false);
  assert.equal(hits.get('/check') ?? 0, before);
});

test('get_url falls back to wget, and says what to install when neither tool exists', async () => {
  // A PATH with every program of /usr/bin except the ones named.
  const pathWithout = (...tools: string[]) => {
    const bin = tempDir();
    for (const f of readdirSync('/usr/bin')) if (!tools.includes(f)) symlinkSync(join('/usr/bin', f), join(bin, f));
    return `${bin}:/usr/sbin:/sbin`;
  };
  const dir = tempDir();
  const viaWget = await runTask(
    getUrl,
    { url: `${base}/wget`, dest: join(dir, 'w') },
    { exec: localExecWith({ PATH: pathWithout('curl') }) },
  );
  assert.equal(viaWget.status, 'changed', viaWget.output);
  assert.equal(readFileSync(join(dir, 'w'), 'utf8'), BODY);
  const none = await runTask(
    getUrl,
    { url: `${base}/none`, dest: join(dir, 'n') },
    { exec: localExecWith({ PATH: pathWithout('curl', 'wget') }) },
  );
  assert.equal(none.status, 'failed');
  assert.match(none.msg, /neither curl nor wget is installed on this host/);
  assert.equal(existsSync(join(dir, 'n')), false);
  assert.equal(hits.get('/none'), undefined);
});

test('get_url compiles to valid bash for hostile values and rejects bad ones', async () => {
  for (const s of EVIL) {
    if (s.includes('\n')) continue;
    const body = compileWith(getUrl, { url: `http://x/${encodeURIComponent(s)}`, dest: `/tmp/${s}`, owner: 'www-data', group: 'adm' });
    assert.equal(syntaxError(body), '', s);
  }
  // owner/group are the spec's `id` type, checked like file/copy: chown would misread these.
  for (const bad of ['-rf', 'a:b', 'two words'])
    assert.throws(() => compileWith(getUrl, { url: 'http://x/y', dest: '/tmp/x', owner: bad }), /not a valid user or group name/);
  assert.throws(() => compileWith(getUrl, { url: 'file:///etc/passwd', dest: '/tmp/x' }), ModuleArgError);
  assert.throws(() => compileWith(getUrl, { url: 'http://x/y', dest: '/tmp/x', checksum: 'sha256:abc' }), /64 hex/);
  assert.throws(() => compileWith(getUrl, { url: 'http://x/y', dest: '/tmp/x', mode: 'rwx' }), /neither octal/);
});
