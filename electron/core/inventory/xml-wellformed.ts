/**
 * Says what is wrong with a document that is not well-formed XML, and where (line, column).
 * The schema validators cannot: libxml2's streaming schema mode answers "Unimplemented block at
 * xmlschemas.c" at line 0 for a truncated document, and the WebAssembly build "failed to parse".
 * This is a checker, not a parser: tags balance, attributes are quoted, the five predefined
 * entities and character references only (no DTD is ever allowed, so no other entity exists),
 * no declaration inside the root element, no value longer than libxml2 accepts.
 */
import { isUtf8 } from 'node:buffer';
import { MmError } from '../errors';

/** libxml2's limit for one attribute value or text node without XML_PARSE_HUGE. */
export const MAX_XML_VALUE_CHARS = 10_000_000;

export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

function positionOf(text: string, index: number): XmlPosition {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: index - start + 1 };
}

function fail(where: string, text: string, index: number, what: string): never {
  const { line, column } = positionOf(text, index);
  throw new MmError(
    'xml-malformed',
    `${where} line ${line}, column ${column}: ${what}`,
    `${where}:${line}:${column}`,
  );
}

/** Refuses bytes that are not UTF-8, naming the line and column of the first bad byte. */
export function assertUtf8(bytes: Uint8Array, where: string): void {
  if (isUtf8(bytes)) return;
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b <= 0xdf
          ? 1
          : b >= 0xe0 && b <= 0xef
            ? 2
            : b >= 0xf0 && b <= 0xf4
              ? 3
              : -1;
    let ok = need >= 0 && i + need < bytes.length;
    for (let k = 1; ok && k <= need; k++) ok = (bytes[i + k]! & 0xc0) === 0x80;
    if (ok && need === 2) {
      const cp = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6);
      ok = cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff);
    }
    if (ok && need === 3)
      ok = !((b === 0xf0 && bytes[i + 1]! < 0x90) || (b === 0xf4 && bytes[i + 1]! > 0x8f));
    if (!ok) {
      // Columns count characters; the bad line's start is ASCII-or-valid up to here.
      const column = Buffer.from(bytes.subarray(lineStart, i)).toString('utf8').length + 1;
      throw new MmError(
        'xml-not-utf8',
        `${where} line ${line}, column ${column}: byte 0x${b.toString(16).padStart(2, '0')} is not UTF-8 (the agent's output must be UTF-8 encoded).`,
        `${where}:${line}:${column}`,
      );
    }
    if (b === 0x0a) {
      line++;
      lineStart = i + 1;
    }
    i += need + 1;
  }
}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][-A-Za-z0-9_.:\u00B7\u00C0-\uFFFF]*/y;
const ENTITY = /&(?:lt|gt|amp|apos|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/y;
const SPACE = /[ \t\r\n]*/y;

function nameAt(text: string, at: number): string | undefined {
  NAME.lastIndex = at;
  return NAME.exec(text)?.[0];
}

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

/** Throws `xml-malformed` (line, column, what) for the first well-formedness error. */
export function assertWellFormed(text: string, where: string): void {
  const open: { name: string; at: number }[] = [];
  let rootSeen = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // The next "&" at or after where the scan is: the scan only moves forward, so the whole
  // document is searched for "&" once, not once per text.
  let amp = text.indexOf('&');
  const checkReferences = (from: number, to: number): void => {
    if (amp >= 0 && amp < from) amp = text.indexOf('&', from);
    while (amp >= 0 && amp < to) {
      ENTITY.lastIndex = amp;
      if (!ENTITY.test(text) || ENTITY.lastIndex > to)
        fail(
          where,
          text,
          amp,
          'an "&" that is not one of &lt; &gt; &amp; &apos; &quot; or a character reference (entities are never declared here).',
        );
      amp = text.indexOf('&', amp + 1);
    }
  };
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? text.length : lt;
    if (open.length === 0) {
      if (text.slice(i, end).trim() !== '')
        fail(
          where,
          text,
          skipSpace(text, i),
          rootSeen ? 'text after the root element ended.' : 'text before the root element.',
        );
    } else {
      if (end - i > MAX_XML_VALUE_CHARS)
        fail(
          where,
          text,
          i,
          `a text of ${(end - i) / 1e6} M characters, over the ${MAX_XML_VALUE_CHARS / 1e6} M one value may have.`,
        );
      checkReferences(i, end);
    }
    if (lt < 0) break;
    if (text.startsWith('<?', lt)) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0)
        fail(
          where,
          text,
          lt,
          'a processing instruction that never ends ("?>" missing): the document is truncated.',
        );
      i = close + 2;
    } else if (text.startsWith('<!--', lt)) {
      const close = text.indexOf('-->', lt + 4);
      if (close < 0)
        fail(where, text, lt, 'a comment that never ends ("-->" missing): the document is truncated.');
      i = close + 3;
    } else if (text.startsWith('<![CDATA[', lt) && open.length > 0) {
      const close = text.indexOf(']]>', lt + 9);
      if (close < 0) fail(where, text, lt, 'a CDATA section that never ends: the document is truncated.');
      i = close + 3;
    } else if (text.startsWith('<!', lt)) {
      const word = /^<!([A-Za-z]*)/.exec(text.slice(lt, lt + 12))?.[1] || 'declaration';
      fail(
        where,
        text,
        lt,
        open.length > 0
          ? `a <!${word}> inside the element <${open[open.length - 1]!.name}>: declarations are not allowed in a document's content (and DOCTYPEs not at all).`
          : `a <!${word}>: Migration API documents have no DOCTYPE or declarations.`,
      );
    } else if (text.startsWith('</', lt)) {
      const name = nameAt(text, lt + 2);
      const after = name ? skipSpace(text, lt + 2 + name.length) : lt + 2;
      if (!name || text[after] !== '>') fail(where, text, lt, 'a closing tag that is not "</name>".');
      const top = open.pop();
      if (!top) fail(where, text, lt, `a closing </${name}> with no element open.`);
      if (top.name !== name) {
        const opened = positionOf(text, top.at);
        fail(
          where,
          text,
          lt,
          `</${name}> closes <${top.name}>, opened on line ${opened.line}, column ${opened.column}.`,
        );
      }
      i = after + 1;
    } else {
      const name = nameAt(text, lt + 1);
      if (!name) fail(where, text, lt, 'a "<" that does not start a tag (write &lt; in text).');
      if (open.length === 0 && rootSeen) fail(where, text, lt, `a second root element <${name}>.`);
      let at = lt + 1 + name.length;
      const seen = new Set<string>();
      for (;;) {
        const before = at;
        at = skipSpace(text, at);
        if (text.startsWith('/>', at)) {
          at += 2;
          rootSeen = true;
          break;
        }
        if (text[at] === '>') {
          open.push({ name, at: lt });
          rootSeen = true;
          at += 1;
          break;
        }
        if (at >= text.length)
          fail(where, text, lt, `the tag <${name}> never ends: the document is truncated.`);
        const attr = nameAt(text, at);
        if (!attr || at === before)
          fail(where, text, at, `the tag <${name}> has something that is not an attribute.`);
        if (seen.has(attr)) fail(where, text, at, `the attribute ${attr} appears twice in <${name}>.`);
        seen.add(attr);
        at = skipSpace(text, at + attr.length);
        if (text[at] !== '=')
          fail(where, text, at, `the attribute ${attr} of <${name}> has no "=" and value.`);
        at = skipSpace(text, at + 1);
        const quote = text[at];
        if (quote !== '"' && quote !== "'")
          fail(where, text, at, `the value of ${attr} in <${name}> is not quoted.`);
        const close = text.indexOf(quote, at + 1);
        if (close < 0)
          fail(where, text, at, `the value of ${attr} in <${name}> never ends: the document is truncated.`);
        if (close - at - 1 > MAX_XML_VALUE_CHARS)
          fail(
            where,
            text,
            at,
            `the value of ${attr} in <${name}> is ${((close - at - 1) / 1e6).toFixed(1)} M characters, over the ${MAX_XML_VALUE_CHARS / 1e6} M one value may have.`,
          );
        const lessThan = text.indexOf('<', at + 1);
        if (lessThan >= 0 && lessThan < close)
          fail(where, text, lessThan, `a "<" inside the value of ${attr} in <${name}>.`);
        checkReferences(at + 1, close);
        at = close + 1;
      }
      i = at;
    }
  }
  const top = open[open.length - 1];
  if (top) {
    const opened = positionOf(text, top.at);
    fail(
      where,
      text,
      text.length,
      `the document ends inside <${top.name}> (opened on line ${opened.line}, column ${opened.column}): it is truncated.`,
    );
  }
  if (!rootSeen) fail(where, text, 0, 'no root element.');
}
