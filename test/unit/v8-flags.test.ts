import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEntry } from '../../electron/sandbox/throwaway-process';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';
import { REPO_ROOT } from '../helpers/paths';

/** The young generation's size once a process has allocated for a while, in MB. */
function grownNewSpaceMb(flags: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    const keep = [];
    for (let i = 0; i < 2e6; i++) keep.push({ i });
    for (let i = 0; i < 2e7; i++) { const o = { i, a: [i] }; if (i % 64 === 0) keep[i % keep.length] = o; }
    process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20));`;
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }));
}

describe("the engine's V8 flags (electron/v8-flags.mjs)", () => {
  it('are what `mm` starts with: its shebang and the npm script carry the same list', () => {
    const shebang = readFileSync(join(REPO_ROOT, 'electron/cli/mm.mjs'), 'utf8').split('\n')[0] ?? '';
    expect(shebang).toBe(`#!/usr/bin/env -S node ${ENGINE_V8_FLAGS.join(' ')}`);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['mm']).toBe(`node ${ENGINE_V8_FLAGS.join(' ')} electron/cli/mm.mjs`);
  });

  it("are the throwaway sandbox's too, beside its heap limit", () => {
    const entry = childEntry();
    for (const flag of ENGINE_V8_FLAGS) expect(entry.execArgv).toContain(flag);
    expect(entry.execArgv.some((a) => a.startsWith('--max-old-space-size='))).toBe(true);
  });

  it('let the young generation grow past V8’s default (32 MB) in a real Node process', () => {
    const withFlags = grownNewSpaceMb(ENGINE_V8_FLAGS);
    const without = grownNewSpaceMb([]);
    expect(without).toBeLessThanOrEqual(32);
    expect(withFlags).toBeGreaterThan(without);
    expect(withFlags).toBeGreaterThan(32);
  });
});
