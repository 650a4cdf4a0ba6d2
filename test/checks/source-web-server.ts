/**
 * The source's own web server for the page check's tests: the app's source web server
 * (electron/sandbox/source-web-server.ts, the sandbox's Host-header web server over a layout's
 * document roots) with every request recorded (host and path), so a test can prove the check
 * asked it.
 */
import { startSourceWebServer as startServer } from '../../electron/sandbox/source-web-server';

export interface SourceWebServer {
  /** "http://127.0.0.1:<port>/" */
  readonly url: string;
  /** Every request so far, "host path". */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startSourceWebServer(layoutRoot: string): Promise<SourceWebServer> {
  const requests: string[] = [];
  const server = await startServer(layoutRoot, (req) => {
    requests.push(`${(req.headers.host ?? '').toLowerCase()} ${req.url ?? ''}`);
  });
  return { url: server.url, requests, close: () => server.close() };
}
