/**
 * The import's own memory: one inventory import in a process of its own that does nothing else
 * (a fresh core, a project, a source server, then the import once), so its peak RSS is the
 * core's peak while importing, not whatever the bench did before (bare parses, earlier imports,
 * the validators timed alone). The child reports its RSS before the import (the core loaded,
 * after a full GC) and its peak RSS (the kernel's high-water mark, reached during the import).
 *
 * Run as a script: `node --expose-gc --import tsx build/bench/import-rss.ts <file.xml>`; prints
 * one JSON line. The bench calls measureImportRss().
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore } from '../../electron/core/core';
import { ENGINE_V8_FLAGS } from '../../electron/v8-flags.mjs';

export interface ImportRss {
  /** RSS of the process with the core loaded, just before the import (after a full GC). */
  readonly beforeMb: number;
  /** The process's peak RSS: reached during the import. */
  readonly peakMb: number;
  readonly importMs: number;
  readonly domains: number;
}

const MB = 1024 * 1024;

async function importOnce(file: string): Promise<ImportRss> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-import-rss-'));
  try {
    const core = createCore({ dataDir, shell: 'cli' });
    const project = await core.projects.create('Import RSS');
    await core.servers.add(project.id, {
      name: 'src',
      kind: 'hsphere',
      // The synthetic document is a Migration API v1 inventory.
      apiVersion: 1,
      connection: { type: 'local', root: dirname(file) },
    });
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('import-rss needs node --expose-gc (for a settled RSS before the import)');
    gc();
    const beforeMb = process.memoryUsage().rss / MB;
    const t0 = performance.now();
    const result = await core.inventory.importFile(
      project.id,
      'src',
      file,
      importLimit((await stat(file)).size),
    );
    const importMs = performance.now() - t0;
    return {
      beforeMb,
      peakMb: process.resourceUsage().maxRSS / 1024,
      importMs,
      domains: result.summary.domains,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The default 128 MB limit for one document, raised for a scaled one (a 10× source is ~160 MB). */
export function importLimit(documentBytes: number): { maxBytes: number } {
  return { maxBytes: Math.max(128 * MB, 2 * documentBytes) };
}

/** Runs one import of `file` in a child process with the given validator and returns its memory. */
export function measureImportRss(file: string, validator: 'native' | 'wasm'): ImportRss {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (validator === 'wasm') env['MM_XSD_VALIDATOR'] = 'wasm';
  else delete env['MM_XSD_VALIDATOR'];
  // The child is not a bench: it must not write figures of its own.
  delete env['MM_BENCH_FIGURES'];
  const child = spawnSync(
    process.execPath,
    // with the V8 flags `mm inventory import` starts with (its young generation counts in the peak)
    [...ENGINE_V8_FLAGS, '--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), file],
    { env, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 1024 * 1024 },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(
      `the import-RSS child (${validator} validator) failed with ${child.status ?? child.signal}: ${child.stderr.trim() || line}`,
    );
  return JSON.parse(line) as ImportRss;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: import-rss.ts <hostingPlatform.xml>');
  console.log(JSON.stringify(await importOnce(file)));
}
