/**
 * Checks an agent's XML before any parser sees it: a size limit (a 200 MB answer is refused,
 * not parsed into gigabytes of objects) and no DOCTYPE at all. The Migration API needs no DTD,
 * so refusing one removes entity-expansion ("billion laughs") and external-entity attacks
 * outright instead of bounding them.
 */
import { open, stat } from 'node:fs/promises';
import { MmError } from '../errors';

export const DEFAULT_MAX_XML_BYTES = 128 * 1024 * 1024;

export async function guardXmlFile(file: string, maxBytes = DEFAULT_MAX_XML_BYTES): Promise<number> {
  const { size } = await stat(file);
  if (size > maxBytes) {
    throw new MmError(
      'xml-too-large',
      `${file} is ${(size / 1048576).toFixed(0)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit for one document; fetch it in parts with accountsInfo/domainsInfo or raise the limit.`,
      file,
    );
  }
  if (size === 0) throw new MmError('xml-empty', `${file} is empty: the agent printed nothing.`, file);
  // A DOCTYPE can only appear before the root element, i.e. in the first bytes.
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    assertNoDoctype(head.toString('utf8'), file);
  } finally {
    await handle.close();
  }
  return size;
}

export function assertNoDoctype(head: string, where: string): void {
  const prolog = head.replace(/^\uFEFF/, '');
  const doctype = /<!DOCTYPE/i.exec(prolog);
  const root = /<[A-Za-z_]/.exec(prolog);
  if (doctype && (!root || doctype.index < root.index)) {
    const line = prolog.slice(0, doctype.index).split('\n').length;
    throw new MmError(
      'xml-doctype',
      `${where} line ${line}: the document declares a DOCTYPE; Migration API documents have none, and entity declarations are refused (entity-expansion protection).`,
      `${where}:${line}`,
    );
  }
  if (!root)
    throw new MmError('xml-not-xml', `${where} is not an XML document (no root element found).`, where);
}
