import { describe, expect, it } from 'vitest';
import { assertNoDoctype } from '../../electron/core/inventory/xml-guard';

describe('the XML guard before any parser', () => {
  it('accepts a declaration, processing instructions and comments before the root', () => {
    expect(() =>
      assertNoDoctype(
        '\uFEFF<?xml version="1.0"?>\n<!-- made by agent.pl -->\n<?pi x?>\n<hostingPlatform/>',
        'a.xml',
      ),
    ).not.toThrow();
  });

  it('refuses a DOCTYPE even when a comment before it looks like a root element', () => {
    const sneaky = '<?xml version="1.0"?>\n<!-- <a> -->\n<!DOCTYPE r [<!ENTITY x "y">]>\n<r>&x;</r>';
    expect(() => assertNoDoctype(sneaky, 'b.xml')).toThrow(/b\.xml line 3: the document declares a DOCTYPE/);
  });

  it('refuses text that is not XML and a prolog with no root', () => {
    expect(() => assertNoDoctype('Perl error at line 3', 'c.xml')).toThrow(/not an XML document/);
    expect(() => assertNoDoctype('<?xml version="1.0"?><!-- never closed', 'd.xml')).toThrow(
      /no root element/,
    );
  });
});
