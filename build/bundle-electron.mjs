// Bundles the Electron main process (CommonJS, so __dirname works), the sandboxed preload (one
// CommonJS file, as sandboxed preloads require) into out/electron/, and the `mm` CLI and the
// browser host (ESM, with their shared and lazily loaded chunks) into out/cli/ — so they start
// from prebuilt files instead of compiling TypeScript on every start.
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
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

/**
 * zod's `z` is a namespace that carries every locale (`z.locales`, `z.core.locales`: 358 KB of
 * zod's 735 in the bundle), and no bundler drops a namespace's members when the namespace itself
 * is used as a value. Only English is used (zod's default). The two places zod imports its locales'
 * index get a module with `en` alone (the same `../locales/en.js` zod's schemas import); the build
 * fails, rather than quietly growing again, when zod no longer imports its locales so.
 */
function zodEnglishOnly() {
  const importers = ['zod/v4/classic/external.js', 'zod/v4/core/index.js'];
  const seen = new Set();
  const plugin = {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        const importer = args.importer.split(sep).join('/');
        const which = importers.find((i) => importer.endsWith(`/node_modules/${i}`));
        if (!which) return undefined;
        seen.add(which);
        return { path: which, namespace: 'zod-english-only', pluginData: { resolveDir: args.resolveDir } };
      });
      b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
        contents: "export { default as en } from '../locales/en.js';",
        resolveDir: args.pluginData.resolveDir,
        loader: 'js',
      }));
    },
  };
  /** Throws when the bundle holds another locale than English, or zod's imports changed. */
  const check = (metafile) => {
    const others = Object.keys(metafile.inputs).filter((p) =>
      /node_modules\/zod\/.*locales\/(?!en\.js$)/.test(p),
    );
    const missed = importers.filter((i) => !seen.has(i));
    if (others.length > 0 || missed.length > 0)
      throw new Error(
        "zod's locales are laid out differently than build/bundle-electron.mjs expects: " +
          (others.length > 0
            ? `bundled ${others.join(', ')}`
            : `no import of ../locales/index.js from ${missed.join(', ')}`),
      );
  };
  return { plugin, check };
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
// The `mm` CLI, its throwaway child and the browser host (npm start without Electron, and every
// test that drives the app in Chromium; tsx compiling the sources cost about 3 s of CPU at each
// start) in one split build: what a command may never need (the PostgreSQL driver, pg-boss and
// its date libraries, loaded by `import()` where a shared project is opened) and what the three
// share are chunks beside them, so `mm project list` on file projects never compiles pg.
const zodEn = zodEnglishOnly();
const cli = await build({
  ...common,
  plugins: [...common.plugins, zodEn.plugin],
  entryPoints: {
    mm: 'electron/cli/main.ts',
    'throwaway-child': 'electron/sandbox/throwaway-child.ts',
    host: 'electron/host/main.ts',
  },
  outdir: 'out/cli',
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunk-[hash]',
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as mmCreateRequire } from 'node:module'; const require = mmCreateRequire(import.meta.url);",
  },
  metafile: true,
});
zodEn.check(cli.metafile);
// Chunks of earlier builds (named by a hash of their content) would pile up; those of the last
// hour stay, for processes started before this build that load a chunk later (pg when a shared
// project is opened).
const written = new Set(Object.keys(cli.metafile.outputs).map((o) => basename(o)));
for (const f of await readdir('out/cli')) {
  if (!/^chunk-.*\.mjs$/.test(f) || written.has(f)) continue;
  const file = join('out/cli', f);
  if ((await stat(file)).mtimeMs < Date.now() - 3_600_000) await rm(file, { force: true });
}
// The launchers (electron/build-freshness.mjs) run a bundle only while none of these is newer
// than it: every source file of the entries and their chunks (not node_modules, nor the
// plugins' own modules, named `namespace:path`).
const inputs = Object.keys(cli.metafile.inputs).filter(
  (p) => !p.startsWith('node_modules/') && !/^[\w-]+:/.test(p),
);
await writeFile('out/cli/mm.inputs.json', JSON.stringify(inputs));
