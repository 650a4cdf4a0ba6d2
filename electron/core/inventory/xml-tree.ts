/**
 * Agent XML → a plain object tree, in one pass over the text, without an intermediate tree.
 * It gives the same objects as fast-xml-parser with `agentXmlParser`'s options (attributes as
 * keys without prefix, values left as strings, untrimmed text under "#text", repeated elements
 * as arrays) at a fraction of its time and memory: fast-xml-parser builds an ordered node tree
 * and then converts it, so a 16 MB inventory was held as two trees at once.
 *
 * It reads documents the schema validator accepts (well-formed, no DOCTYPE): the five
 * predefined entities and character references are decoded, no other entity exists, and
 * comments and processing instructions are skipped. Anything else is refused with its line and
 * column; the import then asks the well-formedness checker, which says more.
 */
import { MmError } from '../errors';

export type XmlNode = Record<string, unknown>;

interface Frame {
  readonly name: string;
  /** Where the start tag is, for "never closed". */
  readonly at: number;
  /** Child elements by name; created at the first child. */
  children: XmlNode | undefined;
  /** Attributes in document order, flat: name, value, name, value… */
  attributes: string[] | undefined;
  /** The element's text, all its text nodes and CDATA sections joined. */
  text: string;
}

/**
 * libxml2's own nesting limit (without XML_PARSE_HUGE): no valid document goes deeper, and a
 * hostile one cannot make this parser hold a frame per byte while the validator still runs.
 */
export const MAX_XML_DEPTH = 256;

const NAME = /[^\s/>=]+/y;
/** One attribute after white space: name, "=", a quoted value (either quote). */
const ATTRIBUTE = /\s+([^\s/>=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const TAG_END = /\s*(\/?)>/y;
const REFERENCE = /&(?:(lt|gt|amp|apos|quot)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Decodes the predefined entities and character references; anything else stays as written. */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(REFERENCE, (whole, named: string | undefined, dec?: string, hex?: string) => {
    if (named) return PREDEFINED[named]!;
    const code = dec !== undefined ? Number(dec) : Number.parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: index - start + 1 };
}

function malformed(where: string, text: string, index: number, what: string): never {
  const { line, column } = positionOf(text, index);
  throw new MmError(
    'xml-malformed',
    `${where} line ${line}, column ${column}: ${what}`,
    `${where}:${line}:${column}`,
  );
}

/** A closed element's value: its text alone, or an object of children, text and attributes. */
function valueOf(frame: Frame): unknown {
  if (!frame.children && !frame.attributes) return frame.text;
  const node: XmlNode = frame.children ?? {};
  if (frame.text !== '') node['#text'] = frame.text;
  const attributes = frame.attributes;
  // Attributes last: one that shares a child element's name wins, as in fast-xml-parser.
  if (attributes) for (let k = 0; k < attributes.length; k += 2) node[attributes[k]!] = attributes[k + 1];
  return node;
}

/**
 * Elements turned into their final object the moment they close, by element name and the name
 * of the element they must be in: e.g. each `account` in `accounts` becomes an Account, and its
 * subtree is garbage at once instead of surviving until the whole document is read.
 */
export type XmlMappers = ReadonlyMap<
  string,
  { readonly parent: string; readonly map: (node: XmlNode) => unknown }
>;

const NO_MAPPERS: XmlMappers = new Map();

function addChild(
  parent: Frame,
  name: string,
  element: unknown,
  repeated: ReadonlySet<string>,
  mappers: XmlMappers,
): void {
  const mapper = mappers.get(name);
  // A mapper reads an object: an element with neither attributes nor children is an empty one.
  const value =
    mapper && mapper.parent === parent.name
      ? mapper.map(typeof element === 'object' ? (element as XmlNode) : {})
      : element;
  const children = (parent.children ??= {});
  const existing = children[name];
  if (existing === undefined) children[name] = repeated.has(name) ? [value] : value;
  else if (Array.isArray(existing)) existing.push(value);
  else children[name] = [existing, value];
}

/**
 * Parses `text` into the tree; `repeated` names the elements that are always arrays, `mappers`
 * the elements turned into their final objects as they close. `where` names the document in
 * errors.
 */
export function parseXmlTree(
  text: string,
  repeated: ReadonlySet<string>,
  where: string,
  mappers: XmlMappers = NO_MAPPERS,
): XmlNode {
  const documentFrame: Frame = { name: '', at: 0, children: undefined, attributes: undefined, text: '' };
  const stack: Frame[] = [documentFrame];
  let top = documentFrame;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? text.length : lt;
    // Text outside the root element is white space in a valid document: not kept.
    if (end > i && top !== documentFrame) top.text += decodeXmlText(text.slice(i, end));
    if (lt < 0) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x2f /* / */) {
      const close = text.indexOf('>', lt + 2);
      if (close < 0) malformed(where, text, lt, 'a closing tag that never ends: the document is truncated.');
      const name = text.slice(lt + 2, close).trimEnd();
      if (top === documentFrame) malformed(where, text, lt, `a closing </${name}> with no element open.`);
      if (name !== top.name) malformed(where, text, lt, `</${name}> closes <${top.name}>.`);
      stack.pop();
      const parent = stack[stack.length - 1]!;
      addChild(parent, top.name, valueOf(top), repeated, mappers);
      top = parent;
      i = close + 1;
    } else if (next === 0x3f /* ? */) {
      const close = text.indexOf('?>', lt + 2);
      if (close < 0) malformed(where, text, lt, 'a processing instruction that never ends.');
      i = close + 2;
    } else if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', lt)) {
        const close = text.indexOf('-->', lt + 4);
        if (close < 0) malformed(where, text, lt, 'a comment that never ends: the document is truncated.');
        i = close + 3;
      } else if (text.startsWith('<![CDATA[', lt) && top !== documentFrame) {
        const close = text.indexOf(']]>', lt + 9);
        if (close < 0) malformed(where, text, lt, 'a CDATA section that never ends.');
        top.text += text.slice(lt + 9, close);
        i = close + 3;
      } else {
        // DOCTYPEs are refused before any parse (xml-guard); this parser never expands entities.
        malformed(where, text, lt, 'a declaration (<!…>): Migration API documents have none.');
      }
    } else {
      NAME.lastIndex = lt + 1;
      const name = NAME.exec(text)?.[0];
      if (!name) malformed(where, text, lt, 'a "<" that does not start a tag.');
      let at = lt + 1 + name.length;
      let attributes: string[] | undefined;
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const m = ATTRIBUTE.exec(text);
        if (!m) break;
        (attributes ??= []).push(m[1]!, decodeXmlText(m[2] ?? m[3]!));
        at = ATTRIBUTE.lastIndex;
      }
      TAG_END.lastIndex = at;
      const tagEnd = TAG_END.exec(text);
      if (!tagEnd) malformed(where, text, at, `the tag <${name}> is not well-formed or never ends.`);
      if (top === documentFrame && documentFrame.children)
        malformed(where, text, lt, `a second root element <${name}>.`);
      const frame: Frame = { name, at: lt, children: undefined, attributes, text: '' };
      if (tagEnd[1] === '/') addChild(top, name, valueOf(frame), repeated, mappers);
      else {
        if (stack.length > MAX_XML_DEPTH)
          malformed(where, text, lt, `<${name}> is nested over ${MAX_XML_DEPTH} elements deep.`);
        stack.push(frame);
        top = frame;
      }
      i = TAG_END.lastIndex;
    }
  }
  if (top !== documentFrame) {
    const opened = positionOf(text, top.at);
    malformed(
      where,
      text,
      text.length,
      `the document ends inside <${top.name}> (opened on line ${opened.line}, column ${opened.column}): it is truncated.`,
    );
  }
  if (!documentFrame.children) malformed(where, text, 0, 'no root element.');
  return documentFrame.children;
}
