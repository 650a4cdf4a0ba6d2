// Whether `npm start` must build: the outputs exist and no source changed since they were made.
// Plain JavaScript, so the launcher reads it without a TypeScript loader.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the renderer and the Electron bundles are made from. */
export const SOURCES = [
  'renderer',
  'electron',
  'shared',
  'agents',
  'build/bundle-electron.mjs',
  'package.json',
  'package-lock.json',
];
/** What `npm run build` makes. */
export const OUTPUTS = [
  'out/renderer/index.html',
  'out/electron/main.cjs',
  'out/electron/preload.cjs',
  'out/cli/host.mjs',
];

/** The newest modification time under a path (files and folders), with the file it belongs to. */
export function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { time: 0, file: path };
  }
  if (!st.isDirectory()) return { time: st.mtimeMs, file: path };
  let best = { time: st.mtimeMs, file: path };
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const n = newest(join(path, name));
    if (n.time > best.time) best = n;
  }
  return best;
}

/** { current, why }: current when every output exists and is newer than every source. */
export function buildState(root, sources = SOURCES, outputs = OUTPUTS) {
  let oldest = Infinity;
  for (const o of outputs) {
    let t;
    try {
      t = statSync(join(root, o)).mtimeMs;
    } catch {
      return { current: false, why: `${o} is missing` };
    }
    oldest = Math.min(oldest, t);
  }
  let source = { time: 0, file: '' };
  for (const s of sources) {
    const n = newest(join(root, s));
    if (n.time > source.time) source = n;
  }
  if (source.time > oldest)
    return { current: false, why: `${source.file.slice(root.length).replace(/^\//, '')} changed` };
  return { current: true, why: 'no source changed since the last build' };
}

/**
 * A prebuilt bundle in out/cli/ (`mm.mjs`, the CLI; `host.mjs`, the browser host) when it may run
 * instead of the TypeScript sources: out/cli/mm.inputs.json lists every source file the bundles
 * were made from. While any of them is newer than the bundle (someone is editing), or there is no
 * bundle, the sources are the truth (undefined: run them through tsx).
 */
export function freshBundle(root, name) {
  const bundle = join(root, 'out', 'cli', name);
  try {
    const built = statSync(bundle).mtimeMs;
    const inputs = JSON.parse(readFileSync(join(root, 'out', 'cli', 'mm.inputs.json'), 'utf8'));
    return inputs.every((p) => statSync(join(root, p)).mtimeMs <= built) ? bundle : undefined;
  } catch {
    return undefined; // no bundle, no input list, or a source gone
  }
}
