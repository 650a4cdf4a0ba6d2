/**
 * The project `mm` works on when --project is not given and there are several: the one
 * `mm project use` chose, or the review copy `mm project open` just opened. Kept in the data
 * dir (`cli-project`, the project's id), so every later command in a script sees it.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'cli-project';

export async function readDefaultProject(dataDir: string): Promise<string | undefined> {
  try {
    const id = (await readFile(join(dataDir, FILE), 'utf8')).trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

export async function writeDefaultProject(dataDir: string, projectId: string | undefined): Promise<void> {
  if (projectId === undefined) await rm(join(dataDir, FILE), { force: true });
  else await writeFile(join(dataDir, FILE), `${projectId}\n`, { mode: 0o600 });
}
