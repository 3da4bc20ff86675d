/**
 * A small caching HTTP proxy for apt, one per lab, listening on the lab's gateway address.
 *
 * Why not bind-mount one shared /var/cache/apt/archives into every host: apt takes an exclusive
 * lock on that directory, so two hosts installing at the same moment fail with "Could not get
 * lock /var/cache/apt/archives/lock" (seen here), and same-named partial downloads would collide.
 * Through this proxy each .deb (and each by-hash index file) is downloaded once, whatever number of
 * hosts ask for it at the same time, and is kept across labs in CACHE_DIR/apt-proxy.
 * Only the Debian mirrors given on the command line are ever contacted.
 *
 * Run: node aptproxy.js LISTEN_ADDR PORT CACHE_DIR ALLOWED_HOST[,ALLOWED_HOST...]
 */
import { createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

export { APT_PROXY_PORT } from './paths.js';

/** Immutable by URL: package files and content-addressed index files. */
function cacheable(path: string): boolean {
  return path.endsWith('.deb') || path.includes('/by-hash/');
}

export function startProxy(listen: string, port: number, cacheDir: string, allowed: Set<string>): void {
  mkdirSync(cacheDir, { recursive: true });
  const inflight = new Map<string, Promise<number>>();

  /** Downloads url into the cache; resolves with the upstream status (200 = now cached). */
  const fetchToCache = (url: URL, file: string): Promise<number> =>
    new Promise((resolve) => {
      const tmp = `${file}.${process.pid}.${Date.now()}.part`;
      get(url, { timeout: 60_000 }, (up) => {
        if (up.statusCode !== 200) {
          up.resume();
          resolve(up.statusCode ?? 502);
          return;
        }
        const out = createWriteStream(tmp);
        up.pipe(out);
        out.on('finish', () => {
          try {
            renameSync(tmp, file);
            resolve(200);
          } catch {
            resolve(502);
          }
        });
        up.on('error', () => {
          out.destroy();
          try {
            unlinkSync(tmp);
          } catch {
            /* never written */
          }
          resolve(502);
        });
      }).on('error', () => resolve(502));
    });

  const serveFile = (file: string, req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-length': statSync(file).size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };

  const server = createServer(async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute http:// URLs only (this is a proxy)\n');
      return;
    }
    if (url.protocol !== 'http:' || !allowed.has(url.hostname)) {
      res.writeHead(403).end(`the lab's apt proxy only reaches ${[...allowed].join(', ')}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (cacheable(url.pathname)) {
      const file = join(cacheDir, createHash('sha256').update(url.href).digest('hex'));
      if (!existsSync(file)) {
        let p = inflight.get(file);
        if (!p) {
          p = fetchToCache(url, file).finally(() => inflight.delete(file));
          inflight.set(file, p);
        }
        const status = await p;
        if (status !== 200 && !existsSync(file)) {
          res.writeHead(status).end();
          return;
        }
      }
      serveFile(file, req, res);
      return;
    }
    // Release files and the like change over time: passed through, with apt's conditional headers.
    const headers: Record<string, string> = {};
    for (const h of ['if-modified-since', 'if-none-match', 'range', 'if-range', 'user-agent']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const up = get(url, { headers, method: req.method, timeout: 60_000 }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.listen(port, listen);
}

// Entry point when run as its own process by the lab.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const [listen, port, cacheDir, allowed] = process.argv.slice(2);
  startProxy(listen, Number(port), cacheDir, new Set(allowed.split(',')));
}
