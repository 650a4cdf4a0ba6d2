/**
 * The sandbox's web server: serves the content the migration pushed for each domain from
 * `<data>/web/<domain>/`, chosen by the Host header, as the target's web servers would once DNS
 * points there. Post-migration checks fetch pages from here. Read-only, GET/HEAD only.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { DOMAIN_NAME } from './answers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
};

/** The directory holding a domain's document root. */
export function webRoot(dataDir: string, domain: string): string {
  return join(dataDir, 'web', domain);
}

/** A request path → a file under the root, or undefined when it would leave the root. */
export function resolveWebPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = normalize(join(root, decoded));
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

/**
 * `siteRoot` finds a host's site on the sandbox's web node (nodes.ts); a host it does not know
 * is served from the older `<data>/web/<domain>/` folder (sandbox.uploadFile).
 */
export function createWebServer(dataDir: string, siteRoot?: (host: string) => string | undefined): Server {
  return createServer((req, res) => {
    void (async () => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (!DOMAIN_NAME.test(host)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`No site for host "${host}"\n`);
        return;
      }
      const root = siteRoot?.(host) ?? webRoot(dataDir, host);
      let file = resolveWebPath(root, req.url ?? '/');
      if (!file) {
        res.writeHead(400).end();
        return;
      }
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        const info = await stat(file);
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': info.size,
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      } catch {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`Not found on ${host}\n`);
      }
    })();
  });
}
