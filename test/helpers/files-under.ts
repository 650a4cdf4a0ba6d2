import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every regular file under a folder, recursively (for tests that grep a folder's bytes). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}
