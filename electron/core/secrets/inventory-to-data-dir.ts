/**
 * The way back for customers' secrets when a shared project becomes a file project again
 * (`mm project move --store files`): values in the shared project form (`inventory-keys.ts`)
 * open only with the project's data key, which a file project no longer reaches, so the
 * project's inventory and domain-services files are re-sealed under this data dir's master key
 * while the project is still linked. The move calls it on the folder it is about to switch to
 * (its staging copy), before the link goes; a value it cannot open stops the move, named.
 */
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SEALED_PREFIX } from '../../../shared/model/inventory';
import { CARD_CONTEXT, PASSWORD_CONTEXT, inProjectForm, openInventoryValue } from './inventory-keys';
import type { SharedSecretStore } from './shared-secrets';

const FOLDERS = ['inventory', 'domain-services'] as const;

/** Re-seals the project-form values of the JSON files under `folder`; returns how many. */
export async function inventoryFilesToDataDir(
  shared: SharedSecretStore,
  localId: string,
  folder: string,
): Promise<number> {
  const sealers = new Map<string, (v: string) => string>();
  const sealerFor = async (context: string): Promise<(v: string) => string> => {
    let s = sealers.get(context);
    if (!s) sealers.set(context, (s = await shared.local.sealer(context)));
    return s;
  };
  let changed = 0;
  for (const sub of FOLDERS) {
    const names = await readdir(join(folder, sub)).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [] as string[];
      throw e;
    });
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const file = join(folder, sub, name);
      const text = await readFile(file, 'utf8');
      if (!text.includes(`${SEALED_PREFIX}p1.`)) continue;
      let count = 0;
      const walk = async (node: unknown, key: string): Promise<unknown> => {
        if (typeof node === 'string' && inProjectForm(node)) {
          const context = key === 'encryptedNumber' ? CARD_CONTEXT : PASSWORD_CONTEXT;
          const plain = await openInventoryValue(shared, localId, context, node);
          count++;
          return `${SEALED_PREFIX}${(await sealerFor(context))(plain)}`;
        }
        if (Array.isArray(node)) {
          const out: unknown[] = [];
          for (const v of node) out.push(await walk(v, key));
          return out;
        }
        if (node !== null && typeof node === 'object') {
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(node)) out[k] = await walk(v, k);
          return out;
        }
        return node;
      };
      const next = await walk(JSON.parse(text) as unknown, '');
      // written beside and renamed over: a crash leaves the old file or the new one, never half
      await writeFile(`${file}.reseal.tmp`, JSON.stringify(next, null, 2), { mode: 0o600 });
      await rename(`${file}.reseal.tmp`, file);
      changed += count;
    }
  }
  return changed;
}
