import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import uri from './uri.js';
import { compileWith, syntaxError } from '../../test/system-modules/harness.js';
import { runTasks } from '../../test/system-modules/run.js';

const haveCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;

test('uri compiles to valid bash and keeps credentials off the command line', () => {
  for (const a of [
    { url: 'http://x/' },
    {
      url: 'https://x/a?b=c',
      method: 'POST',
      body: "it's",
      status_code: [200, 201],
      headers: { 'X-A': '$(id)' },
      url_username: 'u',
      url_password: 'p w',
      wait_timeout: 9,
    },
  ]) {
    assert.equal(syntaxError(compileWith(uri, a)), '', JSON.stringify(a));
  }
  const body = compileWith(uri, { url: 'http://x/', url_username: 'admin', url_password: 's3cret' });
  assert.match(body, /auth='user = "admin:s3cret"'/);
  assert.match(body, /curl -K - /);
  assert.throws(() => compileWith(uri, { url: 'ftp://x/' }), /http:\/\/ or https:\/\//);
});

test(
  'uri checks status and body, retries with backoff until wait_timeout, and is skipped in check mode, as in Ansible',
  { skip: haveCurl ? false : 'needs curl' },
  async () => {
    let hits = 0;
    const srv = createServer((req, res) => {
      if (req.url === '/late') hits++;
      if (req.url === '/late' && hits < 3) return void res.writeHead(503).end('starting');
      res.end(req.url === '/late' ? 'ready now' : 'hello world');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
    try {
      const [a, b, c, d] = await runTasks([
        [uri, { url: `${base}/`, body_contains: 'world', return_content: true }],
        [uri, { url: `${base}/`, status_code: 404 }],
        [uri, { url: `${base}/late`, body_contains: 'ready', wait_timeout: 10 }],
        [uri, { url: `${base}/`, body_contains: 'absent', retries: 1 }],
      ]);
      assert.equal(a.status, 'ok');
      assert.match(a.output, /hello world/);
      assert.equal(b.status, 'failed');
      assert.match(b.msg, /status 200, expected 404/);
      assert.equal(c.status, 'ok');
      assert.match(c.msg, /answered 200 after 3 attempts/);
      assert.equal(d.status, 'failed');
      assert.match(d.msg, /body does not contain "absent" \(after 2 attempts\)/);
      const [e] = await runTasks([[uri, { url: 'http://127.0.0.1:1/', wait_timeout: 60 }]], { check: true });
      assert.equal(e.status, 'skipped');
      assert.match(e.msg, /check mode: not run; would check/);
    } finally {
      srv.close();
    }
  },
);
