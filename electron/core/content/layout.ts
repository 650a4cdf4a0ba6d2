/**
 * Where content lands on a target node (../shared/TARGET-API.md): a site in
 * `<vhosts root>/<webspace id>/webspace/httpdocs/<location>/`, a mailbox's Maildir in
 * `<mail root>/<domain>/<local part>/Maildir/`. Beside them, on the same file system so that
 * publishing is one rename: a staging folder per content id (filled while the tarball streams)
 * and a marker per content id (written last, holding the manifest's SHA-256): the marker is
 * how a restarted batch knows the content is already there.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { MmError } from '../errors';

export interface ContentPlace {
  /** The published folder. */
  readonly final: string;
  /** Filled by `tar -x` while the tarball streams; renamed to `final` once verified. */
  readonly staging: string;
  /** Written after the rename: the manifest's SHA-256, files and bytes. */
  readonly marker: string;
}

/** A short stable key of a content id for file names (ids may hold any character). */
export function contentKey(contentId: string): string {
  return createHash('sha256').update(contentId).digest('hex').slice(0, 20);
}

/** One path segment from a name the source gave: no separator, no dot segment. */
function segment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\0\\]/.test(value))
    throw new MmError(
      'content-refused',
      `The ${what} "${value}" cannot be a folder name on the node.`,
      value,
    );
  return value;
}

export function sitePlace(
  vhostsRoot: string,
  webspaceId: number,
  location: string,
  contentId: string,
): ContentPlace {
  const webspace = posix.join(vhostsRoot, String(webspaceId), 'webspace');
  const key = contentKey(contentId);
  const parts = location === '' ? [] : location.split('/').map((p) => segment(p, 'site location'));
  return {
    final: posix.join(webspace, 'httpdocs', ...parts),
    staging: posix.join(webspace, '.mm-staging', key),
    marker: posix.join(webspace, '.mm-content', key),
  };
}

export function mailboxPlace(mailRoot: string, address: string, contentId: string): ContentPlace {
  const at = address.lastIndexOf('@');
  if (at <= 0) throw new MmError('content-refused', `"${address}" is not a mailbox address.`, address);
  const local = segment(address.slice(0, at).toLowerCase(), 'mailbox name');
  const domain = segment(address.slice(at + 1).toLowerCase(), 'mail domain');
  const key = contentKey(contentId);
  return {
    final: posix.join(mailRoot, domain, local, 'Maildir'),
    staging: posix.join(mailRoot, '.mm-staging', key),
    marker: posix.join(mailRoot, '.mm-content', key),
  };
}
