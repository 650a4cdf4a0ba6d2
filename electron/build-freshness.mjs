// Whether `npm start` must build: the outputs exist and no source changed since they were made.
// Plain JavaScript, so the launcher reads it without a TypeScript loader.
import { readdirSync, statSync } from 'node:fs';
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
export const OUTPUTS = ['out/renderer/index.html', 'out/electron/main.cjs', 'out/electron/preload.cjs'];

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
