/**
 * Turns one agent output file into a validated, parsed document: size and DOCTYPE guard, UTF-8,
 * XSD validation (errors with line and column; a document that is not well-formed is described
 * by the well-formedness checker instead), parsing into the model, then its references (each id
 * once, every reference to an object the document has).
 */
import { readFile } from 'node:fs/promises';
import { MmError } from '../errors';
import { type ParsedDocument, parseAgentXml } from './parse-inventory';
import { guardXmlFile } from './xml-guard';
import { assertReferences } from './inventory-references';
import { assertUtf8, assertWellFormed } from './xml-wellformed';
import { validateAgainstXsd } from './xsd-validate';

export interface ImportTimings {
  readonly validateMs: number;
  readonly parseMs: number;
  /** Validation runs in xmllint-wasm's worker thread while this thread parses: wall time of both. */
  readonly wallMs: number;
}

/** The file's text; bytes that are not UTF-8 are named (line, column) before any validator sees them. */
async function readUtf8(file: string, label: string): Promise<string> {
  const xml = await readFile(file);
  assertUtf8(xml, label);
  return xml.toString('utf8');
}

/**
 * `prepare` runs on the parsed document while validation is still going on in its worker, to
 * use that wait (e.g. sealing the customers' passwords); its result is returned only when the
 * document is valid.
 */
export async function readAgentDocument<P = undefined>(
  file: string,
  label: string,
  options: { maxBytes?: number; prepare?: (parsed: ParsedDocument) => Promise<P> } = {},
): Promise<{ parsed: ParsedDocument; prepared: P | undefined; timings: ImportTimings; bytes: number }> {
  const maxBytes = options.maxBytes;
  const bytes = await guardXmlFile(file, maxBytes);
  // The document is held once from here, as text: the validator and the parser both read it.
  const text = await readUtf8(file, label);
  const t0 = performance.now();
  let validateMs = 0;
  // Validation (a worker thread) and parsing (this thread) run side by side; a document is
  // only accepted when validation passes, and a validation error wins over a parse error.
  let started!: () => void;
  const validatorRunning = new Promise<void>((resolve) => (started = resolve));
  const validation = validateAgainstXsd(text, 'HostingPlatform.xsd', file, () => started()).then(
    (problems) => {
      validateMs = performance.now() - t0;
      return problems;
    },
  );
  // A validator that fails before it runs still lets the parse go on.
  validation.catch(() => started());
  await validatorRunning;
  let parsed: ParsedDocument | undefined;
  let parseError: unknown;
  let validatorError: unknown;
  try {
    parsed = parseAgentXml(text, label);
  } catch (e) {
    parseError = e;
  }
  const parseMs = performance.now() - t0;
  const preparing = parsed && options.prepare ? options.prepare(parsed) : undefined;
  // A failed preparation of an invalid document is not worth reporting: the schema error is.
  preparing?.catch(() => undefined);
  // The WebAssembly validator throws ("failed to parse") where xmllint reports problems.
  const problems = await validation.catch((e: unknown) => {
    validatorError = e;
    return [];
  });
  if (validatorError !== undefined || problems.length > 0 || !parsed) {
    // Well-formedness first: it knows what and where (a truncated document, a declaration in the
    // content, an over-long value) where the schema validators say "failed to parse" or name line
    // 0. It runs only on this path, so a valid document pays nothing for it.
    assertWellFormed(text, label);
  }
  if (validatorError instanceof MmError) throw validatorError;
  if (validatorError !== undefined) {
    const detail = validatorError instanceof Error ? validatorError.message : String(validatorError);
    throw new MmError(
      'xml-invalid',
      `${label}: the schema validator could not read it (${detail.replace(/\s+/g, ' ').trim()}).`,
      label,
    );
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new MmError(
      'xml-invalid',
      `${label} line ${first.line}, column ${first.column}: ${first.message}${more}`,
      `${label}:${first.line}:${first.column}`,
    );
  }
  if (!parsed) throw parseError;
  assertReferences(parsed.inventory, text, label, parsed.root === 'hostingPlatform');
  const prepared = preparing ? await preparing : undefined;
  return { parsed, prepared, timings: { validateMs, parseMs, wallMs: performance.now() - t0 }, bytes };
}
