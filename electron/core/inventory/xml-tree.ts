/**
 * Agent XML → a plain object tree, in one pass, without an intermediate tree: saxes (a strict,
 * non-validating SAX parser) reads the text and each element becomes its value the moment it
 * closes. It gives the same objects as fast-xml-parser with `agentXmlParser`'s options
 * (attributes as keys without prefix, values left as strings, untrimmed text under "#text",
 * repeated elements as arrays) at a fraction of its memory: fast-xml-parser builds an ordered
 * node tree and then converts it, so a 16 MB inventory was held as two trees at once.
 *
 * It reads documents the schema validator accepts (well-formed, no DOCTYPE): saxes decodes the
 * five predefined entities and character references and knows no other entity, so nothing is
 * ever expanded; a DOCTYPE is refused here too. Comments and processing instructions are
 * skipped. Anything else is refused with its line and column; the import then asks the
 * well-formedness checker, which says more.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { MmError } from '../errors';

export type XmlNode = Record<string, unknown>;

interface Frame {
  readonly name: string;
  /** Where the start tag is, for "never closed". */
  readonly line: number;
  readonly column: number;
  /** Child elements by name; created at the first child. */
  children: XmlNode | undefined;
  /** Attributes as saxes read them (document order); undefined when there are none. */
  attributes: Record<string, string> | undefined;
  /** The element's text, all its text nodes and CDATA sections joined. */
  text: string;
}

/**
 * libxml2's own nesting limit (without XML_PARSE_HUGE): no valid document goes deeper, and a
 * hostile one cannot make this parser hold a frame per byte while the validator still runs.
 */
export const MAX_XML_DEPTH = 256;

/** A closed element's value: its text alone, or an object of children, text and attributes. */
function valueOf(frame: Frame): unknown {
  if (!frame.children && !frame.attributes) return frame.text;
  const node: XmlNode = frame.children ?? {};
  if (frame.text !== '') node['#text'] = frame.text;
  // Attributes last: one that shares a child element's name wins, as in fast-xml-parser.
  if (frame.attributes) Object.assign(node, frame.attributes);
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

function hasKeys(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
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
  const parser = new SaxesParser({ xmlns: false, position: true });
  const refuse = (what: string, line = parser.line, column = parser.column + 1): never => {
    throw new MmError(
      'xml-malformed',
      `${where} line ${line}, column ${column}: ${what}`,
      `${where}:${line}:${column}`,
    );
  };
  const documentFrame: Frame = {
    name: '',
    line: 1,
    column: 1,
    children: undefined,
    attributes: undefined,
    text: '',
  };
  const stack: Frame[] = [documentFrame];
  let top = documentFrame;

  // saxes reports errors through this handler (it would throw its own Error without one): the
  // message keeps saxes' wording, the place is ours.
  parser.on('error', (e) => refuse(e.message.replace(/^\d+:\d+: /, '')));
  parser.on('doctype', () => refuse('a declaration (<!DOCTYPE …>): Migration API documents have none.'));
  parser.on('opentag', (tag: SaxesTagPlain) => {
    if (stack.length > MAX_XML_DEPTH) refuse(`<${tag.name}> is nested over ${MAX_XML_DEPTH} elements deep.`);
    const frame: Frame = {
      name: tag.name,
      line: parser.line,
      column: parser.column,
      children: undefined,
      attributes: hasKeys(tag.attributes) ? tag.attributes : undefined,
      text: '',
    };
    stack.push(frame);
    top = frame;
  });
  parser.on('closetag', () => {
    const closed = stack.pop()!;
    top = stack[stack.length - 1]!;
    addChild(top, closed.name, valueOf(closed), repeated, mappers);
  });
  // Text outside the root element is white space in a well-formed document: not kept.
  parser.on('text', (t) => {
    if (top !== documentFrame) top.text += t;
  });
  parser.on('cdata', (t) => {
    top.text += t;
  });

  parser.write(text);
  if (top !== documentFrame)
    refuse(`the document ends inside <${top.name}> (opened on line ${top.line}): it is truncated.`);
  parser.close();
  return documentFrame.children ?? refuse('no root element.');
}
