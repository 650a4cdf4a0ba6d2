#!/usr/bin/env -S node --max-semi-space-size=64
// The `mm` command. `npm run build` bundles it into out/cli/mm.mjs, which starts in a fraction of
// the time tsx needs to compile the TypeScript; while any source file the bundle was made from is
// newer than the bundle (someone is editing), or there is no bundle, it runs the sources through tsx.
// The shebang's V8 flags are electron/v8-flags.mjs's (they must be given when Node starts).
import { fileURLToPath } from 'node:url';
import { freshBundle } from '../build-freshness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = process.env.MM_FROM_SOURCE === '1' ? undefined : freshBundle(root, 'mm.mjs');

if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
