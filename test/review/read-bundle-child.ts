/**
 * Reads a review bundle file in a process of its own (run with a small heap by
 * bundle-at-scale.test.ts): `keep` holds every member in memory, as the reader did before
 * holdings members were streamed; `check` streams them through the holding schema, keeping none.
 * Prints the members it holds and the heap used, one JSON line.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readBundle } from '../../electron/core/review/bundle';

const [file, mode] = process.argv.slice(2);
if (!file || (mode !== 'keep' && mode !== 'check'))
  throw new Error('usage: read-bundle-child <file> keep|check');
const bundle = await readBundle(await readFile(file), basename(file), { holdings: mode });
console.log(
  JSON.stringify({
    members: Object.keys(bundle.files).length,
    streamed: bundle.streamed?.length ?? 0,
    heapMb: Math.round(process.memoryUsage().heapUsed / 1048576),
  }),
);
