/**
 * Hostile inventory documents: each refused with what is wrong and where (element, id, line,
 * column), by the system's xmllint and by the WebAssembly validator Electron uses on Windows
 * and macOS alike, and nothing stored changes.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../electron/core/core';
import { coreInSandbox, importedWeb01 } from './hostile-core';
import { type Sandbox, refusedWithoutTrace } from './untouched';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function platformXml(accounts: string, domains = '', extra = ''): string {
  return `<?xml version="1.0"?>
<hostingPlatform apiVersion="2">
  <platform kind="linux"${extra}/>
  <servers/>
  <serviceTemplates/>
  <accounts>
${accounts}
  </accounts>
  <subscriptions/>
  <domains>
${domains}
  </domains>
</hostingPlatform>
`;
}

const ACCOUNTS = [
  '    <account id="acme" type="customer"/>',
  '    <account id="beta" type="customer"/>',
].join('\n');

/** Documents and what the refusal must say. */
const HOSTILE: [string, () => string | Buffer, RegExp][] = [
  [
    'two accounts with the id acme',
    () => platformXml(`${ACCOUNTS}\n    <account id="acme" type="reseller"/>`),
    /line 9: the account id "acme" is used again/,
  ],
  [
    'a domain whose owner account does not exist',
    () => platformXml(ACCOUNTS, '    <domain id="d1" name="ghost.test" accountId="nobody"/>'),
    /line 12: domain "d1" has accountId="nobody", but there is no account "nobody"/,
  ],
  [
    'invalid UTF-8',
    () =>
      Buffer.concat([
        Buffer.from(platformXml(ACCOUNTS).slice(0, 120)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(platformXml(ACCOUNTS).slice(120)),
      ]),
    /line \d+, column \d+: byte 0xc3 is not UTF-8/,
  ],
  ['a truncated document', () => platformXml(ACCOUNTS).slice(0, 200), /line \d+, column \d+: .*(truncated)/],
  [
    'a DOCTYPE inside the root element',
    () => platformXml(ACCOUNTS).replace('<servers/>', '<!DOCTYPE x [<!ENTITY e "boom">]><servers/>'),
    /line 4, column 3: a <!DOCTYPE> inside the element <hostingPlatform>/,
  ],
  [
    'a 10 MB attribute',
    () => platformXml(ACCOUNTS, '', ` version="${'v'.repeat(10_500_000)}"`),
    /line 3, column 34: the value of version in <platform> is 10\.5 M characters, over the 10 M/,
  ],
  [
    'an undeclared entity in an attribute',
    () => platformXml('    <account id="acme" type="customer" company="A &boom; B"/>'),
    /line 7, column \d+: an "&" that is not one of/,
  ],
];

for (const validator of ['xmllint', 'wasm'] as const) {
  describe(`inventory import under hostile input (${validator} validator)`, () => {
    let box: Sandbox;
    let core: Core;
    const previous = process.env['MM_XSD_VALIDATOR'];

    beforeEach(async () => {
      if (validator === 'wasm') process.env['MM_XSD_VALIDATOR'] = 'wasm';
      ({ box, core } = await coreInSandbox('Acme'));
      // A good inventory is stored first: a refused import must leave it as it was.
      await importedWeb01(box, core, 'good.xml', platformXml(ACCOUNTS));
    });
    afterEach(() => {
      if (previous === undefined) delete process.env['MM_XSD_VALIDATOR'];
      else process.env['MM_XSD_VALIDATOR'] = previous;
    });

    it.each(HOSTILE)('%s', async (_label, document, message) => {
      const file = join(box.root, 'hostile.xml');
      await writeFile(file, document());
      const e = await refusedWithoutTrace(box, () => core.inventory.importFile('acme', 'web01', file));
      expect(messageOf(e)).toMatch(message);
      expect(messageOf(e)).toContain(file);
      expect(messageOf(e)).not.toMatch(/Unimplemented block|failed to parse|line 0/);
      expect((await core.inventory.load('acme', 'web01'))?.accounts.map((a) => a.id)).toEqual([
        'acme',
        'beta',
      ]);
    });

    it('a directory instead of a file is named as such', async () => {
      const dir = join(box.root, 'a-folder.xml');
      await mkdir(dir);
      const e = await refusedWithoutTrace(box, () => core.inventory.importFile('acme', 'web01', dir));
      expect(messageOf(e)).toBe(`${dir} is a directory, not an XML file.`);
    });

    it('a path that does not exist is named as such', async () => {
      const missing = join(box.root, 'nowhere.xml');
      const e = await refusedWithoutTrace(box, () => core.inventory.importFile('acme', 'web01', missing));
      expect(messageOf(e)).toBe(`${missing} does not exist.`);
    });

    it('a named pipe instead of a file is named as such (never read, never waited on)', async () => {
      const fifo = join(box.root, 'pipe.xml');
      execFileSync('mkfifo', [fifo]);
      const e = await refusedWithoutTrace(box, () => core.inventory.importFile('acme', 'web01', fifo));
      expect(messageOf(e)).toBe(`${fifo} is not a regular file (a device, socket or pipe).`);
    });

    it.skipIf(userInfo().uid === 0)('an unreadable file is named as such', async () => {
      const locked = join(box.root, 'locked.xml');
      await writeFile(locked, platformXml(ACCOUNTS));
      await chmod(locked, 0o000);
      const e = await refusedWithoutTrace(box, () => core.inventory.importFile('acme', 'web01', locked));
      expect(messageOf(e)).toBe(`${locked} cannot be read (permission denied).`);
    });
  });
}
