// Bundles the Electron main process (CommonJS, so __dirname works) and the sandboxed preload
// (one CommonJS file, as sandboxed preloads require) into out/electron/.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['electron/main.ts'],
  outfile: 'out/electron/main.cjs',
  format: 'cjs',
});
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'out/electron/preload.cjs',
  format: 'cjs',
});
