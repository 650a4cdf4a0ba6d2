/**
 * A source server's own web server over a hosting layout on disk: the sandbox's Host-header web
 * server (web-server.ts) pointed at the layout's document roots
 * (`<root>/home/<user>/web/<site>/public_html`), so the pages it serves are the source's files
 * as the source's Apache would serve them. The app's demo uses it as its source web server; the
 * page check's tests use it as a source that records what it was asked.
 */
import { readdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { createWebServer } from './web-server';

export interface RunningSourceWebServer {
  /** "http://127.0.0.1:<port>/" */
  readonly url: string;
  close(): Promise<void>;
}

/** Site host (ASCII, lower case) → its document root in the layout. */
export async function layoutDocRoots(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const user of await readdir(join(root, 'home'))) {
    const web = join(root, 'home', user, 'web');
    const sites = await readdir(web).catch(() => [] as string[]);
    for (const site of sites)
      out.set((domainToASCII(site) || site).toLowerCase(), join(web, site, 'public_html'));
  }
  return out;
}

/**
 * Serves the layout's sites on 127.0.0.1 at a free port; `onRequest` sees each request first.
 * A layout without any site is refused: it would answer every page with 404.
 */
export async function startSourceWebServer(
  layoutRoot: string,
  onRequest?: (req: IncomingMessage) => void,
): Promise<RunningSourceWebServer> {
  const roots = await layoutDocRoots(layoutRoot);
  if (roots.size === 0) throw new Error(`no site under ${layoutRoot}/home/*/web`);
  const inner = createWebServer(layoutRoot, (host) => roots.get(host) ?? join(layoutRoot, 'no-such-site'));
  if (onRequest) inner.prependListener('request', onRequest);
  await new Promise<void>((resolve, reject) => {
    inner.once('error', reject);
    inner.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = inner.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        inner.closeAllConnections();
        inner.close(() => resolve());
      }),
  };
}
