/**
 * The desktop app's renderer is served from `app://mm/…`, a privileged custom scheme, instead
 * of `file://`: a file URL page may read any other file URL, and every file on the disk is one.
 * Pure functions (tested in plain Node, with POSIX and Windows path rules); `main.ts` wires them
 * to Electron's `protocol.handle`.
 */
import type { PlatformPath } from 'node:path';
import * as nodePath from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'mm';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export const APP_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The renderer file an `app://mm/<path>` request names, or undefined: another host, an
 * encoded separator or dot segment, a backslash, a drive, a control character, a path that
 * resolves outside the renderer folder, or a type the renderer does not have.
 */
export function appFileFor(
  requestUrl: string,
  root: string,
  path: PlatformPath = nodePath,
): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password)
    return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\\:\u0000-\u001f]/.test(rel)) return undefined;
  const parts = rel.split('/').slice(1);
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  if (!(path.extname(rel) in APP_CONTENT_TYPES)) return undefined;
  const file = path.join(root, ...parts);
  const back = path.relative(root, file);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) return undefined;
  return file;
}
