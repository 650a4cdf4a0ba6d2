/**
 * What every hostile-input test checks besides its own refusal: nothing stored changed and
 * nothing was written beside the data dir. The data dir lives inside a sandbox folder of its
 * own; the whole sandbox (data dir and its siblings) is hashed before and after.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from '../helpers/paths';
import { storedInDatabase } from '../helpers/store-under-test';

export interface Sandbox {
  /** The folder holding the data dir; anything written here outside `dataDir` is an escape. */
  readonly root: string;
  readonly dataDir: string;
}

export async function sandbox(): Promise<Sandbox> {
  const root = await tempDir('mm-hostile-');
  const dataDir = join(root, 'a', 'b', 'c', 'data');
  await mkdir(dataDir, { recursive: true });
  return { root, dataDir };
}

/** Path → sha256 of content (or link target) and mode, for every entry under `dir`. */
export async function hashTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const dataDirs: string[] = [];
  const walk = async (at: string): Promise<void> => {
    for (const name of (await readdir(at)).sort()) {
      const path = join(at, name);
      const rel = relative(dir, path);
      const s = await lstat(path);
      // Lock folders come and go with every write; they are not data.
      if (name.endsWith('.lock')) continue;
      if (s.isDirectory()) {
        if (name === 'projects') dataDirs.push(at);
        out[`${rel}/`] = `dir ${(s.mode & 0o777).toString(8)}`;
        await walk(path);
      } else if (!s.isFile() && !s.isSymbolicLink()) {
        // A pipe or socket is never read (that would block): its kind and mode stand for it.
        out[rel] = `special ${(s.mode & 0o777).toString(8)}`;
      } else {
        const body = s.isSymbolicLink() ? Buffer.from(await readlink(path)) : await readFile(path);
        out[rel] = `${createHash('sha256').update(body).digest('hex')} ${(s.mode & 0o777).toString(8)}`;
      }
    }
  };
  await walk(dir);
  // On the PostgreSQL store the projects' documents and journals are rows: hashed as well,
  // under the path each would have as a file, so "nothing stored changed" covers them too.
  for (const dataDir of dataDirs)
    for (const [path, body] of await storedInDatabase(dataDir))
      out[`db:${relative(dir, join(dataDir, path))}`] = createHash('sha256').update(body).digest('hex');
  return out;
}

/**
 * Runs the hostile step and asserts the sandbox is byte for byte what it was. Returns the
 * step's error (every hostile input here is meant to be refused) for the caller to check.
 */
export async function refusedWithoutTrace(box: Sandbox, step: () => Promise<unknown>): Promise<unknown> {
  const before = await hashTree(box.root);
  let error: unknown;
  try {
    await step();
  } catch (e) {
    error = e;
  }
  expect(await hashTree(box.root)).toEqual(before);
  expect(error, 'the hostile input was accepted').toBeDefined();
  return error;
}
