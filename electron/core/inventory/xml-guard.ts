/**
 * Checks an agent's XML before any parser sees it: a size limit (a 200 MB answer is refused,
 * not parsed into gigabytes of objects) and no DOCTYPE at all. The Migration API needs no DTD,
 * so refusing one removes entity-expansion ("billion laughs") and external-entity attacks
 * outright instead of bounding them.
 */
import { open, stat } from 'node:fs/promises';
import { MmError } from '../errors';

export const DEFAULT_MAX_XML_BYTES = 128 * 1024 * 1024;

/** A path that is not a readable file is named as what it is (missing, a directory, not allowed). */
async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${code ?? String(e)})`;
    throw new MmError('xml-unreadable', `${file} ${why}.`, file);
  }
  if (info.isDirectory())
    throw new MmError('xml-unreadable', `${file} is a directory, not an XML file.`, file);
  if (!info.isFile())
    throw new MmError('xml-unreadable', `${file} is not a regular file (a device, socket or pipe).`, file);
  return info.size;
}

/** Megabytes with at most two decimals and none when whole: "3", "0.05". */
function megabytes(bytes: number): string {
  return String(Number((bytes / 1048576).toFixed(2)));
}

export async function guardXmlFile(file: string, maxBytes = DEFAULT_MAX_XML_BYTES): Promise<number> {
  const size = await fileSize(file);
  if (size > maxBytes) {
    throw new MmError(
      'xml-too-large',
      `${file} is ${megabytes(size)} MB, over the ${megabytes(maxBytes)} MB limit for one document; fetch it in parts with accountsInfo/domainsInfo, or import it with a higher limit (mm inventory import <server> <file> --max-size <MB>).`,
      file,
    );
  }
  if (size === 0) throw new MmError('xml-empty', `${file} is empty: the agent printed nothing.`, file);
  // A DOCTYPE can only appear before the root element, i.e. in the first bytes.
  const handle = await open(file, 'r').catch((e: unknown) => {
    const denied = (e as NodeJS.ErrnoException).code === 'EACCES';
    throw new MmError(
      'xml-unreadable',
      `${file} cannot be read${denied ? ' (permission denied)' : ` (${String(e)})`}.`,
      file,
    );
  });
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    assertNoDoctype(head.toString('utf8'), file);
  } finally {
    await handle.close();
  }
  return size;
}

/**
 * Walks the prolog — XML declaration, processing instructions, comments, white space — up to
 * the root element, and refuses a DOCTYPE wherever it stands in it (comments cannot hide one).
 */
export function assertNoDoctype(head: string, where: string): void {
  const text = head.replace(/^\uFEFF/, '');
  let at = 0;
  const lineOf = (i: number): number => text.slice(0, i).split('\n').length;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (text.startsWith('<?', at)) {
      const end = text.indexOf('?>', at + 2);
      if (end < 0) break;
      at = end + 2;
    } else if (text.startsWith('<!--', at)) {
      const end = text.indexOf('-->', at + 4);
      if (end < 0) break;
      at = end + 3;
    } else if (/^<!DOCTYPE/i.test(text.slice(at, at + 9)) || text.startsWith('<!ENTITY', at)) {
      const line = lineOf(at);
      throw new MmError(
        'xml-doctype',
        `${where} line ${line}: the document declares a DOCTYPE; Migration API documents have none, and entity declarations are refused (entity-expansion protection).`,
        `${where}:${line}`,
      );
    } else if (/^<[A-Za-z_]/.test(text.slice(at, at + 2))) {
      return;
    } else {
      throw new MmError('xml-not-xml', `${where} is not an XML document (no root element found).`, where);
    }
  }
  throw new MmError(
    'xml-not-xml',
    `${where}: no root element in the first ${Math.round(text.length / 1024)} KB (an unterminated comment or a prolog that long is not agent output).`,
    where,
  );
}
