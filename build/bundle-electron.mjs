// Bundles the Electron main process (CommonJS, so __dirname works), the sandboxed preload (one
// CommonJS file, as sandboxed preloads require) into out/electron/, and the `mm` CLI and the
// browser host (ESM) into out/cli/ — so they start from one prebuilt file instead of compiling
// TypeScript on every start.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Native and wasm-carrying packages load their own files at run time: keep them in node_modules.
  external: ['electron', 'ssh2', 'cpu-features', 'xmllint-wasm'],
  logLevel: 'warning',
  plugins: [keepAgentsFolder()],
};

/**
 * The agents' scripts (agents/pack.mjs, agents/demo/*.mjs) find their files beside themselves
 * (import.meta.url). Bundled, import.meta.url is the bundle's; every bundle sits two levels below
 * the app root (out/<shell>/), so point each back at its own source file.
 */
function keepAgentsFolder() {
  return {
    name: 'keep-agents-folder',
    setup(b) {
      b.onLoad({ filter: /[\\/]agents[\\/].*\.mjs$/ }, async (args) => {
        const own = relative(process.cwd(), args.path).split(sep).join('/');
        return {
          contents: (await readFile(args.path, 'utf8')).replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(`../../${own}`)}, import.meta.url).href`,
          ),
          loader: 'js',
        };
      });
    },
  };
}

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
const cli = await build({
  ...common,
  entryPoints: ['electron/cli/main.ts'],
  outfile: 'out/cli/mm.mjs',
  format: 'esm',
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as mmCreateRequire } from 'node:module'; const require = mmCreateRequire(import.meta.url);",
  },
  metafile: true,
});
// A rehearsal's throwaway sandbox runs in a process of its own (electron/sandbox/
// throwaway-process.ts), from the entry beside the bundle that starts it: the desktop app's
// utility process loads the CommonJS one, the CLI forks the ES module one.
await build({
  ...common,
  entryPoints: ['electron/sandbox/throwaway-child.ts'],
  outfile: 'out/electron/throwaway-child.cjs',
  format: 'cjs',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'const importMetaUrl = require("url").pathToFileURL(__filename).href;' },
});
const child = await build({
  ...common,
  entryPoints: ['electron/sandbox/throwaway-child.ts'],
  outfile: 'out/cli/throwaway-child.mjs',
  format: 'esm',
  banner: {
    js: "import { createRequire as mmCreateRequire } from 'node:module'; const require = mmCreateRequire(import.meta.url);",
  },
  metafile: true,
});
// The browser host (npm start without Electron, and every test that drives the app in Chromium)
// beside the CLI, so it forks the same throwaway child: tsx compiling the sources cost about
// 3 s of CPU at each start.
const host = await build({
  ...common,
  entryPoints: ['electron/host/main.ts'],
  outfile: 'out/cli/host.mjs',
  format: 'esm',
  banner: {
    js: "import { createRequire as mmCreateRequire } from 'node:module'; const require = mmCreateRequire(import.meta.url);",
  },
  metafile: true,
});
// The launchers (electron/fresh-bundle.mjs) run a bundle only while none of these is newer than it.
await mkdir('out/cli', { recursive: true });
const inputs = [...new Set([cli, child, host].flatMap((b) => Object.keys(b.metafile.inputs)))].filter(
  (p) => !p.startsWith('node_modules/'),
);
await writeFile('out/cli/mm.inputs.json', JSON.stringify(inputs));
