#!/usr/bin/env node
// The `mm` command. `npm run build` bundles it into out/cli/mm.mjs, which starts in a fraction of
// the time tsx needs to compile the TypeScript; while any source file the bundle was made from is
// newer than the bundle (someone is editing), or there is no bundle, it runs the sources through tsx.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundle = `${root}out/cli/mm.mjs`;

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(`${root}out/cli/mm.inputs.json`, 'utf8'));
    return inputs.every((p) => statSync(`${root}${p}`).mtimeMs <= built);
  } catch {
    return false; // no bundle, no input list, or a source gone: the sources are the truth
  }
}

if (process.env.MM_FROM_SOURCE !== '1' && bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
