/**
 * The web collector at the edge: one page fetched from a web server (the target's, or the
 * source's own) with the site's Host header (the server is asked directly, before DNS points there), its status,
 * <title> and body hash. Bodies are hashed as they arrive and only their start is kept.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PageFetch } from './compare-web';
import { titleOf } from './compare-web';
import { HEAD_BYTES } from './content-evidence';

export const FETCH_TIMEOUT_MS = 20_000;

/** The same request serves the target's web server and the source's (each asked with the site's Host). */
export function fetchPage(
  webServer: string,
  host: string,
  page: { path: string; file: string },
  timeoutMs = FETCH_TIMEOUT_MS,
): Promise<PageFetch> {
  const url = new URL(page.path, webServer);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { Host: host, 'User-Agent': 'migration-manager-check' },
        timeout: timeoutMs,
      },
      (res) => {
        const hash = createHash('sha256');
        const head: Buffer[] = [];
        let kept = 0;
        res.on('data', (d: Buffer) => {
          hash.update(d);
          if (kept < HEAD_BYTES) {
            head.push(d.subarray(0, HEAD_BYTES - kept));
            kept += d.length;
          }
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const html = /html/i.test(String(res.headers['content-type'] ?? ''));
          const title = html ? titleOf(Buffer.concat(head).toString('utf8')) : undefined;
          resolve({
            path: page.path,
            file: page.file,
            status,
            sha256: hash.digest('hex'),
            ...(title !== undefined ? { title } : {}),
          });
        });
        res.on('error', (e) => resolve({ path: page.path, file: page.file, status: 0, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => resolve({ path: page.path, file: page.file, status: 0, error: e.message }));
    req.end();
  });
}
