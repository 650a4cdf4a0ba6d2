// Bundles the Electron main process (CommonJS, so __dirname works) and the sandboxed preload
// (one CommonJS file, as sandboxed preloads require) into out/electron/.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Native and wasm-carrying packages load their own files at run time: keep them in node_modules.
  external: ['electron', 'ssh2', 'cpu-features', 'xmllint-wasm'],
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['electron/main.ts'],
  outfile: 'out/electron/main.cjs',
  format: 'cjs',
  // The core finds its files relative to import.meta.url; in this bundle that is the bundle itself.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' },
});
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'out/electron/preload.cjs',
  format: 'cjs',
});
