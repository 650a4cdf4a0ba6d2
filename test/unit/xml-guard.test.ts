import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MmError } from '../../electron/core/errors';
import { assertNoDoctype, guardXmlFile } from '../../electron/core/inventory/xml-guard';
import { failure } from '../helpers/failure';
import { tempDir } from '../helpers/paths';

describe('the XML guard before any parser', () => {
  it('accepts a declaration, processing instructions and comments before the root', () => {
    expect(() =>
      assertNoDoctype(
        '\uFEFF<?xml version="1.0"?>\n<!-- made by agent.pl -->\n<?pi x?>\n<hostingPlatform/>',
        'a.xml',
      ),
    ).not.toThrow();
    expect(() => assertNoDoctype('<_root/>', 'a.xml')).not.toThrow();
    expect(() => assertNoDoctype('  \n\t<r>', 'a.xml')).not.toThrow();
  });

  it('refuses a DOCTYPE even when a comment before it looks like a root element', () => {
    const sneaky = '<?xml version="1.0"?>\n<!-- <a> -->\n<!DOCTYPE r [<!ENTITY x "y">]>\n<r>&x;</r>';
    expect(() => assertNoDoctype(sneaky, 'b.xml')).toThrow(/b\.xml line 3: the document declares a DOCTYPE/);
  });

  it('refuses a DOCTYPE in any case, after a byte-order mark, and a bare ENTITY declaration, naming the line', () => {
    const refused = (text: string): MmError => {
      try {
        assertNoDoctype(text, 'e.xml');
      } catch (e) {
        return e as MmError;
      }
      throw new Error(`accepted: ${text}`);
    };
    expect(refused('<!doctype r>\n<r/>')).toMatchObject({ code: 'xml-doctype', where: 'e.xml:1' });
    expect(refused('\uFEFF<!DocType r><r/>')).toMatchObject({ code: 'xml-doctype', where: 'e.xml:1' });
    expect(refused('<?xml version="1.0"?>\n\n<!ENTITY x "y">\n<r/>')).toMatchObject({
      code: 'xml-doctype',
      where: 'e.xml:3',
    });
    expect(refused('<?a?><!--b--><?c?>\n<!--\n\n-->\n<!DOCTYPE r>').message).toBe(
      'e.xml line 5: the document declares a DOCTYPE; Migration API documents have none, and entity declarations are refused (entity-expansion protection).',
    );
  });

  it('refuses text that is not XML and a prolog with no root', () => {
    expect(() => assertNoDoctype('Perl error at line 3', 'c.xml')).toThrow(/not an XML document/);
    expect(() => assertNoDoctype('<?xml version="1.0"?><!-- never closed', 'd.xml')).toThrow(
      /no root element/,
    );
    expect(() => assertNoDoctype('<?xml version="1.0"', 'd.xml')).toThrow(/d\.xml: no root element/);
    expect(() => assertNoDoctype('', 'd.xml')).toThrow(
      'd.xml is not an XML document (no root element found).',
    );
    expect(() => assertNoDoctype('<1r/>', 'f.xml')).toThrow(
      'f.xml is not an XML document (no root element found).',
    );
    expect(() => assertNoDoctype('<![CDATA[x]]><r/>', 'f.xml')).toThrow(/not an XML document/);
    expect(() => assertNoDoctype('<1r/>', 'f.xml')).toThrow(
      expect.objectContaining({ code: 'xml-not-xml', where: 'f.xml' }),
    );
    // A declaration or comment is closed only after its opening: "<?>" and "<!-->" close nothing.
    expect(() => assertNoDoctype('<?><r/>', 'h.xml')).toThrow(/h\.xml: no root element/);
    expect(() => assertNoDoctype('<!--><r/>', 'h.xml')).toThrow(/h\.xml: no root element/);
    expect(() => assertNoDoctype('<!-- a --><r/>', 'h.xml')).not.toThrow();
    expect(() => assertNoDoctype(`<!--${'x'.repeat(3000)}`, 'g.xml')).toThrow(/first 3 KB/);
  });
});

describe('the XML guard on a file', () => {
  it('passes a small document and returns its size', async () => {
    const file = join(await tempDir(), 'ok.xml');
    await writeFile(file, '<?xml version="1.0"?>\n<hostingPlatform/>\n');
    expect(await guardXmlFile(file)).toBe(41);
  });

  it('refuses a document over the size limit, naming both sizes, before reading it', async () => {
    const file = join(await tempDir(), 'big.xml');
    await writeFile(file, `<r>${'x'.repeat(3 * 1048576)}</r>`);
    const e = await failure(guardXmlFile(file, 2 * 1048576));
    expect(e).toMatchObject({ code: 'xml-too-large', where: file });
    expect(e.message).toBe(
      `${file} is 3 MB, over the 2 MB limit for one document; fetch it in parts with accountsInfo/domainsInfo, or import it with a higher limit (mm inventory import <server> <file> --max-size <MB>).`,
    );
    expect(await guardXmlFile(file, 4 * 1048576)).toBe(3 * 1048576 + 7);
    expect(await guardXmlFile(file, 3 * 1048576 + 7)).toBe(3 * 1048576 + 7);
  });

  it('refuses an empty file and a DOCTYPE in the file, with its path', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'empty.xml'), '');
    expect(await failure(guardXmlFile(join(dir, 'empty.xml')))).toMatchObject({
      code: 'xml-empty',
      message: `${join(dir, 'empty.xml')} is empty: the agent printed nothing.`,
    });
    await writeFile(
      join(dir, 'dtd.xml'),
      '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "b">]>\n<r>&a;</r>',
    );
    expect(await failure(guardXmlFile(join(dir, 'dtd.xml')))).toMatchObject({
      code: 'xml-doctype',
      where: `${join(dir, 'dtd.xml')}:2`,
    });
  });

  it('reads only the head: a DOCTYPE can stand only before the root, and a prolog past 64 KB is refused', async () => {
    const dir = await tempDir();
    // A long document whose root starts at once passes, whatever comes later.
    await writeFile(join(dir, 'long.xml'), `<r>${'<a/>'.repeat(50_000)}<!DOCTYPE late></r>`);
    expect(await guardXmlFile(join(dir, 'long.xml'))).toBe(200_022);
    // A comment longer than the head hides the root: refused, not read further.
    await writeFile(join(dir, 'prolog.xml'), `<!--${'x'.repeat(70_000)}--><r/>`);
    expect(await failure(guardXmlFile(join(dir, 'prolog.xml')))).toMatchObject({
      code: 'xml-not-xml',
      message: expect.stringContaining('no root element in the first 64 KB'),
    });
  });

  it('closes the file it read, whatever it found', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'ok.xml'), '<r/>');
    await writeFile(join(dir, 'dtd.xml'), '<!DOCTYPE r><r/>');
    const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const before = await openFiles();
    for (let i = 0; i < 20; i++) {
      await guardXmlFile(join(dir, 'ok.xml'));
      await guardXmlFile(join(dir, 'dtd.xml')).catch(() => undefined);
    }
    expect(await openFiles()).toBe(before);
  });

  it('names a path that is missing, a directory, or not readable', async () => {
    const dir = await tempDir();
    expect(await failure(guardXmlFile(join(dir, 'none.xml')))).toMatchObject({
      code: 'xml-unreadable',
      message: `${join(dir, 'none.xml')} does not exist.`,
    });
    await mkdir(join(dir, 'sub.xml'));
    expect(await failure(guardXmlFile(join(dir, 'sub.xml')))).toMatchObject({
      code: 'xml-unreadable',
      message: `${join(dir, 'sub.xml')} is a directory, not an XML file.`,
    });
    await writeFile(join(dir, 'plain'), 'x');
    expect(await failure(guardXmlFile(join(dir, 'plain', 'x.xml')))).toMatchObject({
      code: 'xml-unreadable',
      message: `${join(dir, 'plain', 'x.xml')} cannot be read (ENOTDIR).`,
    });
    expect(await failure(guardXmlFile('/dev/null'))).toMatchObject({
      code: 'xml-unreadable',
      message: '/dev/null is not a regular file (a device, socket or pipe).',
    });
    if (process.getuid?.() !== 0) {
      await writeFile(join(dir, 'locked.xml'), '<r/>');
      await chmod(join(dir, 'locked.xml'), 0o000);
      expect(await failure(guardXmlFile(join(dir, 'locked.xml')))).toMatchObject({ code: 'xml-unreadable' });
    }
  });
});
