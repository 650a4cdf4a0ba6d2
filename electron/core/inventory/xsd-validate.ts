/**
 * XSD validation of agent output with libxml2 compiled to WebAssembly (xmllint-wasm): the same
 * validator in Electron on any OS, in the browser host and in the CLI, with no system package.
 * Errors carry the file, line and column.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { validateXML } from 'xmllint-wasm';
import { MmError } from '../errors';
import { XSD_DIR } from '../paths';
import { reassertYoungGenerationHold } from '../young-generation';

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
interface RawProblem {
  readonly line: number;
  readonly message: string;
}

/**
 * The system's own libxml2 (`xmllint`), when it is installed: the same validator as the
 * WebAssembly build, in a process of its own on another core, several times faster.
 * Returns undefined when there is no xmllint (a Windows or macOS workstation).
 */
function validateNative(file: string, schemaPath: string): Promise<RawProblem[] | undefined> {
  return new Promise((resolve) => {
    execFile(
      'xmllint',
      ['--noout', '--nonet', '--stream', '--schema', schemaPath, file],
      { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (e, _stdout, stderr) => {
        if (!e) return resolve([]);
        // 1: not well-formed, 3/4: invalid. Anything else (no xmllint, a schema it cannot
        // compile, a crash) is xmllint's problem, not the document's: use the WebAssembly build.
        const code = (e as { code?: unknown }).code;
        if (code !== 1 && code !== 3 && code !== 4) return resolve(undefined);
        const problems: RawProblem[] = [];
        for (const text of stderr.split('\n')) {
          // "<file>:<line>: element x: Schemas validity error : …" or "<file>:<line>: parser error : …"
          const m = /^.*?:(\d+): (.*)$/.exec(text);
          if (m && !/fails to validate$|validates$/.test(text))
            problems.push({ line: Number(m[1]), message: m[2]!.trim() });
        }
        resolve(
          problems.length > 0 ? problems : [{ line: 0, message: stderr.trim().split('\n')[0] ?? 'invalid' }],
        );
      },
    );
  });
}

async function validateWasm(
  xml: Uint8Array | string,
  schema: string,
  fileName: string,
  onStarted: () => void,
): Promise<RawProblem[]> {
  const [main, ...includes] = await loadSchemas(schema);
  if (!main) throw new MmError('xsd-missing', `The schema ${schema} is not installed in ${XSD_DIR}.`, schema);
  const bytes = typeof xml === 'string' ? sharedUtf8(xml) : xml;
  // Streaming validation (xmllint --stream) keeps memory near the file size.
  const pages = Math.min(65536, Math.max(256, Math.ceil((bytes.byteLength * 2) / 65536)));
  // Its worker thread, once online, has put V8's young-generation growth back (young-generation.ts):
  // the caller's parse must start only after that, with the hold set again.
  const online = workerOnline();
  const running = validateXML({
    xml: { fileName: basename(fileName).replace(/^-+/, '_'), contents: bytes },
    schema: main,
    preload: includes,
    initialMemoryPages: pages,
    stream: true,
    maxMemoryPages: 65536,
  });
  await Promise.race([online, running.catch(() => undefined)]);
  reassertYoungGenerationHold();
  onStarted(); // its worker thread is running now
  const result = await running;
  return result.valid
    ? []
    : result.errors.map((e) => ({ line: e.loc?.lineNumber ?? 0, message: e.message.trim() }));
}

/**
 * Settles once the next worker thread started in this process is online (its first code runs);
 * at most a few seconds, so a worker that never comes up cannot stall the import.
 */
function workerOnline(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, 5000);
    function done(): void {
      clearTimeout(timer);
      process.off('worker', started);
      resolve();
    }
    function started(worker: Worker): void {
      worker.once('online', done);
      worker.once('error', done);
    }
    process.once('worker', started);
  });
}

/**
 * The text's UTF-8 bytes in shared memory, encoded by Node (the WebAssembly module's own encoder
 * of a string is far slower). Shared, because posting them to the validator's worker thread
 * would otherwise copy them: 16 MB more at the import's peak for a 20,000-domain document.
 */
function sharedUtf8(text: string): Uint8Array {
  const shared = new SharedArrayBuffer(Buffer.byteLength(text, 'utf8'));
  Buffer.from(shared).write(text, 'utf8');
  return new Uint8Array(shared);
}

/**
 * Validates a document (its bytes or its text, and its file when it is on disk) against one of
 * the Migration API schemas; returns its problems (empty when valid), with line and column.
 * Given the text of a file on disk, xmllint reads the file and no bytes are made at all.
 */
export async function validateAgainstXsd(
  xml: Uint8Array | string,
  schema: string,
  fileName: string,
  /** Told once the validator runs beside this thread (so the caller can start parsing). */
  onStarted: () => void = () => undefined,
): Promise<XmlProblem[]> {
  // Only absolute paths reach xmllint's command line (it has no "--" to end its options).
  // Everything up to the spawn is synchronous: the process must start before the caller's
  // synchronous parse takes this thread.
  const native =
    process.env['MM_XSD_VALIDATOR'] !== 'wasm' && fileName.startsWith('/') && existsSync(fileName)
      ? validateNative(fileName, join(XSD_DIR, schema))
      : undefined;
  if (native) onStarted();
  const raw = (native ? await native : undefined) ?? (await validateWasm(xml, schema, fileName, onStarted));
  if (raw.length === 0) return [];
  const lines = (typeof xml === 'string' ? xml : Buffer.from(xml).toString('utf8')).split('\n');
  return raw
    .slice(0, 50)
    .map((p) => ({ line: p.line, column: columnOf(lines[p.line - 1], p.message), message: p.message }));
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
