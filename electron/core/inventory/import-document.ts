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
}

export async function readAgentDocument(
  file: string,
  label: string,
  maxBytes?: number,
): Promise<{ parsed: ParsedDocument; timings: ImportTimings; bytes: number }> {
  const bytes = await guardXmlFile(file, maxBytes);
  const xml = await readFile(file);
  const t0 = performance.now();
  const problems = await validateAgainstXsd(xml, 'HostingPlatform.xsd', file);
  const t1 = performance.now();
  if (problems.length > 0) {
    const first = problems[0]!;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    throw new MmError(
      'xml-invalid',
      `${label} line ${first.line}, column ${first.column}: ${first.message}${more}`,
      `${label}:${first.line}:${first.column}`,
    );
  }
  const parsed = parseAgentXml(xml.toString('utf8'), label);
  return { parsed, timings: { validateMs: t1 - t0, parseMs: performance.now() - t1 }, bytes };
}
