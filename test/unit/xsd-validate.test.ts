import { execFileSync } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateAgainstXsd } from '../../electron/core/inventory/xsd-validate';
import { tempDir } from '../helpers/paths';
import { SCHEMA_BREAKING_XML } from '../helpers/xml-fixtures';

const BROKEN = SCHEMA_BREAKING_XML;

/**
 * Puts a recording `xmllint` first on PATH: it notes its arguments and runs the system's real
 * xmllint, so a test can prove which validator answered. Returns the file the calls go to.
 */
async function recordXmllintCalls(): Promise<{ calls: () => Promise<string[]>; restore: () => void }> {
  const real = execFileSync('sh', ['-c', 'command -v xmllint'], { encoding: 'utf8' }).trim();
  const dir = await tempDir('mm-xmllint-');
  const log = join(dir, 'calls.log');
  await writeFile(log, '');
  await writeFile(join(dir, 'xmllint'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${real}' "$@"\n`);
  await chmod(join(dir, 'xmllint'), 0o755);
  const path = process.env['PATH'];
  process.env['PATH'] = `${dir}${delimiter}${path ?? ''}`;
  return {
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter((l) => l !== ''),
    restore: () => {
      process.env['PATH'] = path;
    },
  };
}

// The system's xmllint (installed by test/ensure-system.sh), and libxml2 as WebAssembly when
// asked for (or where there is no xmllint): the same answers either way.
describe.each(['native', 'wasm'] as const)('XSD validation (%s)', (validator) => {
  let recorder: Awaited<ReturnType<typeof recordXmllintCalls>>;
  beforeEach(async () => {
    if (validator === 'wasm') process.env['MM_XSD_VALIDATOR'] = 'wasm';
    recorder = await recordXmllintCalls();
  });
  afterEach(() => {
    delete process.env['MM_XSD_VALIDATOR'];
    recorder.restore();
  });

  it('names the line and column of a schema error, and passes a valid document', async () => {
    const file = join(await tempDir(), 'broken.xml');
    await writeFile(file, BROKEN);
    const problems = await validateAgainstXsd(Buffer.from(BROKEN), 'HostingPlatform.xsd', file);
    expect(problems[0]).toMatchObject({ line: 7, column: BROKEN.split('\n')[6]!.indexOf('typ=') + 1 });
    expect(problems.map((p) => p.message).join(' ')).toMatch(/typ/);
    const good = BROKEN.replace('typ=', 'type=');
    await writeFile(file, good);
    expect(await validateAgainstXsd(Buffer.from(good), 'HostingPlatform.xsd', file)).toEqual([]);
    // Which validator answered: the system's xmllint on the file itself, or none at all.
    const calls = await recorder.calls();
    if (validator === 'native') {
      expect(calls).toHaveLength(2);
      for (const call of calls)
        expect(call).toMatch(/--noout --nonet --stream --schema \S+HostingPlatform\.xsd \S+broken\.xml$/);
    } else expect(calls).toEqual([]);
  });
});
