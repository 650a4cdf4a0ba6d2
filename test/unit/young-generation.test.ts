// young-generation.ts: while a transfer or an import runs, V8's young generation keeps its size,
// and grows again as the engine's flags allow once the last one ends. Proved in a real Node
// process started with the engine's V8 flags (the hold is a V8 flag: nothing to see in-process
// under the test runner's own heap settings).
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withYoungGenerationHeld, youngGenerationHolders } from '../../electron/core/young-generation';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** The young generation's size after work whose objects survive, held or not, in MB. */
const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8';
import { withYoungGenerationHeld } from ${JSON.stringify(join(REPO_ROOT, 'electron/core/young-generation.ts'))};
const newSpaceMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
const keep = [];
async function survivors() {
  for (let i = 0; i < 2e6; i++) keep.push({ i });
  for (let i = 0; i < 2e7; i++) { const o = { i, a: [i] }; if (i % 64 === 0) keep[i % keep.length] = o; }
}
const atStart = newSpaceMb();
await withYoungGenerationHeld(survivors);
const held = newSpaceMb();
keep.length = 0;
await survivors();
console.log(JSON.stringify({ atStart, held, after: newSpaceMb() }));`;

/**
 * The same survivors made while the WebAssembly schema validator runs beside the import (as the
 * import parses while it validates): its worker thread puts V8's default growth back once online.
 */
const WITH_VALIDATOR = `
import { getHeapSpaceStatistics } from 'node:v8';
import { withYoungGenerationHeld } from ${JSON.stringify(join(REPO_ROOT, 'electron/core/young-generation.ts'))};
import { validateAgainstXsd } from ${JSON.stringify(join(REPO_ROOT, 'electron/core/inventory/xsd-validate.ts'))};
const newSpaceMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
const keep = [];
function survivors() {
  for (let i = 0; i < 2e6; i++) keep.push({ i });
  for (let i = 0; i < 2e7; i++) { const o = { i, a: [i] }; if (i % 64 === 0) keep[i % keep.length] = o; }
}
const atStart = newSpaceMb();
let parsedAt;
await withYoungGenerationHeld(() =>
  validateAgainstXsd('<nothing/>', 'HostingPlatform.xsd', 'doc.xml', () => { survivors(); parsedAt = newSpaceMb(); }),
);
console.log(JSON.stringify({ atStart, parsedAt }));`;

describe("the engine's young generation, held (electron/core/young-generation.ts)", () => {
  it('stays held while the WebAssembly validator’s worker thread runs beside the parse', async () => {
    // A file, not -e: the worker thread inherits the process's options, and --input-type is refused there.
    const script = join(await tempDir('mm-young-generation-'), 'with-validator.mts');
    await writeFile(script, WITH_VALIDATOR);
    const out = execFileSync(process.execPath, [...ENGINE_V8_FLAGS, '--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: { ...process.env, MM_XSD_VALIDATOR: 'wasm' },
    });
    const { atStart, parsedAt } = JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, number>;
    expect(parsedAt).toBe(atStart);
  });

  it('keeps its size while held and grows past V8’s default (32 MB) once released', () => {
    const out = execFileSync(
      process.execPath,
      [...ENGINE_V8_FLAGS, '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
      { encoding: 'utf8', cwd: REPO_ROOT, timeout: 60_000 },
    );
    const { atStart, held, after } = JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, number>;
    expect(held).toBe(atStart);
    expect(after).toBeGreaterThan(32);
  });

  it('is held as long as any holder runs, nested or side by side', async () => {
    expect(youngGenerationHolders()).toBe(0);
    let release!: () => void;
    const first = withYoungGenerationHeld(() => new Promise<void>((resolve) => (release = resolve)));
    const second = withYoungGenerationHeld(async () => {
      expect(youngGenerationHolders()).toBe(2);
      await withYoungGenerationHeld(async () => expect(youngGenerationHolders()).toBe(3));
    });
    await second;
    expect(youngGenerationHolders()).toBe(1);
    release();
    await first;
    expect(youngGenerationHolders()).toBe(0);
    // A failing holder lets go too.
    await expect(withYoungGenerationHeld(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(youngGenerationHolders()).toBe(0);
  });
});
