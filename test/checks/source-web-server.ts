/**
 * The source's own web server for the page check's tests: the sandbox's Host-header web server
 * (a real HTTP server) pointed at the demo layout's document roots on disk
 * (`<root>/home/<user>/web/<site>/public_html`), so the pages it serves are the source's files
 * as a source's Apache would serve them. Every request is recorded (host and path) so a test
 * can prove the check asked it.
 */
import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { createWebServer } from '../../electron/sandbox/web-server';

export interface SourceWebServer {
  /** "http://127.0.0.1:<port>/" */
  readonly url: string;
  /** Every request so far, "host path". */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Site host (ASCII, lower case) → its document root in the layout. */
async function docRoots(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const user of await readdir(join(root, 'home'))) {
    const web = join(root, 'home', user, 'web');
    const sites = await readdir(web).catch(() => [] as string[]);
    for (const site of sites)
      out.set((domainToASCII(site) || site).toLowerCase(), join(web, site, 'public_html'));
  }
  return out;
}

export async function startSourceWebServer(layoutRoot: string): Promise<SourceWebServer> {
  const roots = await docRoots(layoutRoot);
  if (roots.size === 0) throw new Error(`no site under ${layoutRoot}/home/*/web`);
  const requests: string[] = [];
  const inner = createWebServer(layoutRoot, (host) => roots.get(host) ?? join(layoutRoot, 'no-such-site'));
  inner.prependListener('request', (req) => {
    requests.push(`${(req.headers.host ?? '').toLowerCase()} ${req.url ?? ''}`);
  });
  await new Promise<void>((resolve, reject) => {
    inner.once('error', reject);
    inner.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = inner.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        inner.closeAllConnections();
        inner.close(() => resolve());
      }),
  };
}
