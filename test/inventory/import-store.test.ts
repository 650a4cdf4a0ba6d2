/**
 * The import stores what it parsed, sealed, written from the JSON text made while the schema
 * validator ran (serializeAhead): the file on disk is that text, holds no customer secret in
 * plain text, and reads back as the inventory.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryToXml } from '../../build/bench/inventory-xml';
import { syntheticInventory } from '../../build/bench/synthetic';
import { createCore } from '../../electron/core/core';
import { SEALED_PREFIX } from '../../shared/model/inventory';
import {
  DocumentFile,
  type DocumentSpec,
  dropSerialized,
  serializeAhead,
} from '../../electron/core/store/document-file';
import { tempDir } from '../helpers/paths';
import { SCHEMA_BREAKING_XML } from '../helpers/xml-fixtures';
import { readProjectText } from '../helpers/store-under-test';

describe('the imported inventory as stored', () => {
  it('is the parsed inventory, its passwords sealed, in a file that reads back equal', async () => {
    for (const validator of ['xmllint', 'wasm'] as const) {
      const dir = await tempDir();
      const previous = process.env['MM_XSD_VALIDATOR'];
      if (validator === 'wasm') process.env['MM_XSD_VALIDATOR'] = 'wasm';
      try {
        const source = syntheticInventory({ accounts: 60, domains: 120, subscriptions: 180 });
        const xml = join(dir, 'platform.xml');
        await writeFile(xml, inventoryToXml(source));
        const core = createCore({ dataDir: join(dir, 'data'), shell: 'test' });
        const project = await core.projects.create('Store');
        await core.servers.add(project.id, {
          name: 'src',
          kind: 'hsphere',
          apiVersion: 1,
          connection: { type: 'local', root: dir },
        });
        const result = await core.inventory.importFile(project.id, 'src', xml);
        expect(result.summary.domains).toBe(120);

        const file = join(core.projects.projectDir(project.id), 'inventory', 'src.json');
        const text = await readProjectText(file);
        // Neither a control-panel password hash nor a registrar password is on disk as it was.
        for (const a of source.accounts) expect(text).not.toContain(`"${a.ccpLogin!.password!.value}"`);
        for (const s of source.subscriptions.filter((x) => x.registrarLogin))
          expect(text).not.toContain(`"${s.registrarLogin!.password!.value}"`);
        const stored = JSON.parse(text) as { serverId: string; source: string; inventory: typeof source };
        expect([stored.serverId, stored.source]).toEqual(['src', 'import']);
        expect(stored.inventory.accounts[1]!.ccpLogin!.password!.value.startsWith(SEALED_PREFIX)).toBe(true);
        // Apart from the sealed secrets, the stored objects are the parsed ones, field for field.
        const loaded = (await core.inventory.load(project.id, 'src'))!;
        expect(loaded).toStrictEqual(stored.inventory);
        expect(loaded.domains).toStrictEqual(source.domains);
        expect(loaded.templates).toStrictEqual(source.templates);
        expect(loaded.accounts.map(({ ccpLogin: _l, ...rest }) => rest)).toStrictEqual(
          source.accounts.map(({ ccpLogin: _l, ...rest }) => rest),
        );
      } finally {
        if (previous === undefined) delete process.env['MM_XSD_VALIDATOR'];
        else process.env['MM_XSD_VALIDATOR'] = previous;
      }
    }
  });
});

describe('an import of a document that breaks the schema', () => {
  it.each(['xmllint', 'wasm'] as const)(
    'is refused with its line and column, read from the text (%s validator)',
    async (validator) => {
      const dir = await tempDir();
      const previous = process.env['MM_XSD_VALIDATOR'];
      if (validator === 'wasm') process.env['MM_XSD_VALIDATOR'] = 'wasm';
      try {
        const xml = join(dir, 'broken.xml');
        await writeFile(xml, SCHEMA_BREAKING_XML);
        const core = createCore({ dataDir: join(dir, 'data'), shell: 'test' });
        const project = await core.projects.create('Broken');
        await core.servers.add(project.id, {
          name: 'src',
          kind: 'linux',
          apiVersion: 2,
          connection: { type: 'local', root: dir },
        });
        // Line 7 is `    <account id="a1" typ="customer"/>`: the attribute starts at column 22.
        await expect(core.inventory.importFile(project.id, 'src', xml)).rejects.toThrow(
          new RegExp(`^${xml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 7, column 22: .*typ`),
        );
        expect(await core.inventory.load(project.id, 'src')).toBeUndefined();
      } finally {
        if (previous === undefined) delete process.env['MM_XSD_VALIDATOR'];
        else process.env['MM_XSD_VALIDATOR'] = previous;
      }
    },
  );
});

interface Note {
  schemaVersion: 1;
  text: string;
}
const spec: DocumentSpec<Note> = {
  kind: 'note',
  currentVersion: 1,
  migrations: {},
  empty: () => ({ schemaVersion: 1, text: '' }),
};

describe('a document serialised ahead of its save', () => {
  it('is written as the text made ahead, once; a later save serialises again', async () => {
    const file = join(await tempDir(), 'note.json');
    const doc = await DocumentFile.open(file, spec);
    const note: Note = serializeAhead<Note>({ schemaVersion: 1, text: 'made ahead' });
    // The contract: the document does not change before its save. Here it does, to show which
    // text the save writes: the one made ahead.
    note.text = 'changed after';
    await doc.save(note);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ schemaVersion: 1, text: 'made ahead' });
    // The text was taken by that save: saving the same object again writes what it holds now.
    await doc.save(note);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ schemaVersion: 1, text: 'changed after' });
  });

  it('dropped, it is not written: the save serialises the document as it is', async () => {
    const file = join(await tempDir(), 'note.json');
    const doc = await DocumentFile.open(file, spec);
    const note: Note = serializeAhead<Note>({ schemaVersion: 1, text: 'made ahead' });
    dropSerialized(note);
    note.text = 'as it is';
    await doc.save(note);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ schemaVersion: 1, text: 'as it is' });
  });
});
