import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateAgainstXsd } from '../../electron/core/inventory/xsd-validate';
import { tempDir } from '../helpers/paths';
import { SCHEMA_BREAKING_XML } from '../helpers/xml-fixtures';

const BROKEN = SCHEMA_BREAKING_XML;

// The system's xmllint when installed, libxml2 as WebAssembly otherwise: the same answers.
describe.each(['native', 'wasm'] as const)('XSD validation (%s)', (validator) => {
  afterEach(() => {
    delete process.env['MM_XSD_VALIDATOR'];
  });

  it('names the line and column of a schema error, and passes a valid document', async () => {
    if (validator === 'wasm') process.env['MM_XSD_VALIDATOR'] = 'wasm';
    const file = join(await tempDir(), 'broken.xml');
    await writeFile(file, BROKEN);
    const problems = await validateAgainstXsd(Buffer.from(BROKEN), 'HostingPlatform.xsd', file);
    expect(problems[0]).toMatchObject({ line: 7, column: BROKEN.split('\n')[6]!.indexOf('typ=') + 1 });
    expect(problems.map((p) => p.message).join(' ')).toMatch(/typ/);
    const good = BROKEN.replace('typ=', 'type=');
    await writeFile(file, good);
    expect(await validateAgainstXsd(Buffer.from(good), 'HostingPlatform.xsd', file)).toEqual([]);
  });
});
