/**
 * XSD validation of agent output with libxml2 compiled to WebAssembly (xmllint-wasm): the same
 * validator in Electron on any OS, in the browser host and in the CLI, with no system package.
 * Errors carry the file, line and column.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { MmError } from '../errors';
import { XSD_DIR } from '../paths';

export interface XmlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const schemaCache = new Map<string, Promise<{ fileName: string; contents: string }[]>>();

async function loadSchemas(main: string): Promise<{ fileName: string; contents: string }[]> {
  let cached = schemaCache.get(main);
  if (!cached) {
    // The main schema first; every other schema of the Migration API is preloaded beside it, so
    // whatever it includes (PEMDomainServices → PEMServices → HostingPlatformCommon) resolves.
    const others = (await readdir(XSD_DIR)).filter((f) => f.endsWith('.xsd') && f !== main).sort();
    const files = [main, ...others];
    cached = Promise.all(
      files.map(async (f) => ({ fileName: f, contents: await readFile(join(XSD_DIR, f), 'utf8') })),
    );
    schemaCache.set(main, cached);
  }
  return cached;
}

/** Validates a document against one of the Migration API schemas; returns its problems (empty when valid). */
export async function validateAgainstXsd(
  xml: Uint8Array,
  schema: string,
  fileName: string,
): Promise<XmlProblem[]> {
  const [main, ...includes] = await loadSchemas(schema);
  if (!main) throw new MmError('xsd-missing', `The schema ${schema} is not installed in ${XSD_DIR}.`, schema);
  const pages = Math.min(65536, Math.max(256, Math.ceil((xml.byteLength * 12) / 65536)));
  const result = await validateXML({
    xml: { fileName: basename(fileName).replace(/^-+/, '_'), contents: xml },
    schema: main,
    preload: includes,
    initialMemoryPages: pages,
    maxMemoryPages: 65536,
  });
  if (result.valid) return [];
  const lines = Buffer.from(xml).toString('utf8').split('\n');
  return result.errors.slice(0, 50).map((e) => {
    const line = e.loc?.lineNumber ?? 0;
    return { line, column: columnOf(lines[line - 1], e.message), message: e.message.trim() };
  });
}

/** libxml2's schema errors name the element but not the column: find the element on its line. */
function columnOf(lineText: string | undefined, message: string): number {
  if (!lineText) return 1;
  const element = /Element '([^']+)'/.exec(message)?.[1];
  const attribute = /attribute '([^']+)'/.exec(message)?.[1];
  if (attribute) {
    const at = lineText.indexOf(`${attribute}=`);
    if (at >= 0) return at + 1;
  }
  if (element) {
    const at = lineText.indexOf(`<${element}`);
    if (at >= 0) return at + 1;
  }
  return Math.max(1, lineText.search(/\S/) + 1);
}
