/**
 * Turns one agent output file into a validated, parsed document: size and DOCTYPE guard,
 * XSD validation (errors with line and column), then parsing into the model.
 */
import { readFile } from 'node:fs/promises';
import { MmError } from '../errors';
import { type ParsedDocument, parseAgentXml } from './parse-inventory';
import { guardXmlFile } from './xml-guard';
import { validateAgainstXsd } from './xsd-validate';

export interface ImportTimings {
  readonly validateMs: number;
  readonly parseMs: number;
  /** Validation runs in xmllint-wasm's worker thread while this thread parses: wall time of both. */
  readonly wallMs: number;
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
  const xml = await readFile(file);
  const t0 = performance.now();
  let validateMs = 0;
  // Validation (a worker thread) and parsing (this thread) run side by side; a document is
  // only accepted when validation passes, and a validation error wins over a parse error.
  let started!: () => void;
  const validatorRunning = new Promise<void>((resolve) => (started = resolve));
  const validation = validateAgainstXsd(xml, 'HostingPlatform.xsd', file, () => started()).then(
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
  try {
    parsed = parseAgentXml(xml.toString('utf8'), label);
  } catch (e) {
    parseError = e;
  }
  const parseMs = performance.now() - t0;
  const preparing = parsed && options.prepare ? options.prepare(parsed) : undefined;
  // A failed preparation of an invalid document is not worth reporting: the schema error is.
  preparing?.catch(() => undefined);
  const problems = await validation;
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
  const prepared = preparing ? await preparing : undefined;
  return { parsed, prepared, timings: { validateMs, parseMs, wallMs: performance.now() - t0 }, bytes };
}
