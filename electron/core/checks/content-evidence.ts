/**
 * What a site's or a Maildir's file listing says, for the web and mail checks: HTML titles
 * from the files' first bytes, and per message its folder, size, Message-ID and unique name.
 * The same functions read the source's tarball and the target node's, so both sides are
 * described alike.
 */
import type { FileFact, SiteEvidence } from './compare-web';
import { titleOf } from './compare-web';
import type { MailboxEvidence, MessageFact } from './compare-mail';
import type { TarFile } from './tar-evidence';

/** Bytes of an HTML file read for its <title>, and of a message for its headers. */
export const HEAD_BYTES = 16 * 1024;

export const isHtml = (name: string): boolean => /\.html?$/i.test(name);

/** A message file of a Maildir: `[.<folder>/](cur|new)/<unique>[:2,<flags>]`. */
const MESSAGE = /^(?:\.([^/]+)\/)?(?:cur|new)\/([^/]+)$/;

export const isMessage = (name: string): boolean => MESSAGE.test(name);

export function siteEvidence(host: string, files: ReadonlyMap<string, TarFile> | undefined): SiteEvidence {
  const out = new Map<string, FileFact>();
  for (const [name, f] of files ?? []) {
    const title = isHtml(name) ? f.note : undefined;
    out.set(name, { size: f.size, sha256: f.sha256, ...(title !== undefined ? { title } : {}) });
  }
  return { host, present: files !== undefined, files: out };
}

/** The Message-ID header of a message's first bytes (folded header lines joined). */
export function messageIdOf(head: Buffer): string | undefined {
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const headers = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const m = /^message-id:\s*(<[^>\r\n]+>|\S+)/im.exec(headers);
  return m?.[1];
}

/** The note the checks keep of a file's first bytes: an HTML page's title, a message's Message-ID. */
export function describeHead(name: string, head: Buffer): string | undefined {
  if (isHtml(name)) return titleOf(head.toString('utf8'));
  if (isMessage(name)) return messageIdOf(head);
  return undefined;
}

export function mailboxEvidence(
  address: string,
  files: ReadonlyMap<string, TarFile> | undefined,
): MailboxEvidence {
  const messages: MessageFact[] = [];
  for (const [name, f] of files ?? []) {
    const m = MESSAGE.exec(name);
    if (!m) continue;
    const messageId = f.note;
    messages.push({
      folder: m[1] ?? 'INBOX',
      size: f.size,
      uniqueName: (m[2] ?? '').replace(/:2,.*$/, ''),
      ...(messageId ? { messageId } : {}),
    });
  }
  return { address, present: files !== undefined, messages };
}
