/**
 * xml-tree reads inventories in place of fast-xml-parser: for every document here it must give
 * exactly the objects fast-xml-parser gives with the agents' options (agentXmlParser), and the
 * inventory parsed through it must equal the one parsed through fast-xml-parser.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryToXml } from '../../build/bench/inventory-xml';
import { syntheticInventory } from '../../build/bench/synthetic';
import { agentXmlParser, parseAgentXml } from '../../electron/core/inventory/parse-inventory';
import { MAX_XML_DEPTH, parseXmlTree } from '../../electron/core/inventory/xml-tree';
import { runAgent, tempDir } from '../helpers/layouts/agent-harness';
import { buildLinuxLayout, standardLinuxLayout } from '../helpers/layouts/linux-layout';

const REPEATED = new Set(['domain', 'account', 'ip', 'server', 'paymentTool', 'resource']);
const viaFastXmlParser = (xml: string): unknown => agentXmlParser(REPEATED).parse(xml);

/** Small documents, each one shape of element, text or reference. */
const SHAPES: [string, string][] = [
  ['white space between children', '<a x="1">\n  <b/>\n</a>'],
  ['mixed text and children', '<a>t<b/>u</a>'],
  ['an empty element', '<a/>'],
  ['an element opened and closed', '<a></a>'],
  ['attributes only', '<a x="1" y=\'2\'/>'],
  ['attributes and text', '<a x="1">t</a>'],
  ['the five entities and character references', '<a>&lt;&gt;&amp;&apos;&quot;&#10;&#x41;&amp;amp;</a>'],
  ['references in attributes', '<a x="&#10;&quot;&lt;tag&gt;" y="R&amp;D"/>'],
  ['an attribute named like a child element', '<a user="u"><user>v</user></a>'],
  ['a repeated element not declared as one', '<a><user>v</user><user>w</user></a>'],
  ['a declared repeated element seen once', '<a><domain>v</domain></a>'],
  ['CDATA beside text', '<a><![CDATA[x<y&z]]>z</a>'],
  ['an empty CDATA section', '<a><![CDATA[]]></a>'],
  ['white space only', '<a>  </a>'],
  ['white space only, with attributes', '<a x="1">  </a>'],
  ['a comment among children', '<a><!-- c <b> --><b>1</b></a>'],
  ['a declaration, white space after the root', '<?xml version="1.0" encoding="UTF-8"?>\n<a/>\n'],
  ['interleaved repeats', '<a><b>1</b><c/><b>2</b></a>'],
  ['a leaf with attributes and a newline', '<a><b x="1">\n</b></a>'],
  ['attributes, a child and text', '<a x="1"><b/>t</a>'],
  ['white space around "=" and before ">"', '<a x = "1" ><b y="2" /></a >'],
  ['namespaced attributes', '<a xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="t"/>'],
  ['a UTF-8 BOM and non-ASCII text', '\uFEFF<a n="Müller">Straße 1 — 東京</a>'],
  ['nesting 50 deep', `${'<d>'.repeat(50)}x${'</d>'.repeat(50)}`],
];

describe('xml-tree gives the objects fast-xml-parser gives', () => {
  it.each(SHAPES)('%s', (_label, xml) => {
    expect(parseXmlTree(xml, REPEATED, 'shape.xml')).toEqual(viaFastXmlParser(xml));
  });

  it('a hostingPlatform document with every part: servers, templates, payment tools, passwords, fees', () => {
    const xml = `<?xml version="1.0"?>
<hostingPlatform apiVersion="2" agent="hsphere" agentVersion="1.2" generated="2025-01-01T00:00:00Z">
  <platform kind="hsphere" name="H-Sphere" version="3.6"/>
  <!-- the agent's own comment -->
  <servers>
    <server id="web1" hostname="web1.example" roles="web mail"><ip address="10.0.0.1" type="shared"/><ip address="10.0.0.2" type="exclusive"/></server>
  </servers>
  <serviceTemplates>
    <serviceTemplate id="t1" name="Plan &amp; more" virtual="false" kind="hosting">
      <description>Line one&#10;line two &lt;b&gt;</description>
      <resource id="disk" name="Disk" unit="MB" limit="100" included="50"><setupFee currency="EUR"> 1.50 </setupFee></resource>
    </serviceTemplate>
  </serviceTemplates>
  <accounts>
    <account id="a1" type="customer" company="A &quot;B&quot; C" status="active">
      <ccpLogin login="alice"><password crypted="true" scheme="md5">$1$x&amp;y</password></ccpLogin>
      <adminContact firstName="Ann" lastName="Lee" email="ann@example.test"><phone countryCode="1" number="555"/></adminContact>
      <address street="Main" city="Springfield" country="US"/>
      <balance currency="USD">12.00</balance>
      <paymentTool type="creditCard" holder="Ann Lee" default="true"><encryptedNumber><![CDATA[AbC+/=]]></encryptedNumber></paymentTool>
      <paymentTool type="other"/>
    </account>
  </accounts>
  <subscriptions>
    <subscription id="s1" accountId="a1" templateId="t1" period="1" periodType="month"><providedDomain id="d1"/><registrarLogin login="r"><password>p&amp;w</password></registrarLogin></subscription>
  </subscriptions>
  <domains>
    <domain id="d1" name="xn--mller-kva.test" unicodeName="müller.test" accountId="a1" hostingSubscriptionId="s1"><content kind="web" id="d1" sizeBytes="1024"/></domain>
  </domains>
</hostingPlatform>
`;
    expect(parseXmlTree(xml, REPEATED, 'every-part.xml')).toEqual(viaFastXmlParser(xml));
    const inventory = parseAgentXml(xml, 'every-part.xml').inventory;
    expect(inventory.accounts[0]!.ccpLogin?.password).toEqual({
      value: '$1$x&y',
      crypted: true,
      scheme: 'md5',
    });
    expect(inventory.accounts[0]!.paymentTools[0]!.encryptedNumber).toBe('AbC+/=');
    expect(inventory.templates[0]!.description).toBe('Line one\nline two <b>');
    expect(inventory.hosts[0]!.ips).toHaveLength(2);
  });

  it('the synthetic inventory the bench imports parses to the same tree and the same inventory', () => {
    const source = syntheticInventory({ accounts: 300, domains: 600, subscriptions: 900 });
    const xml = inventoryToXml(source);
    const tree = parseXmlTree(xml, REPEATED, 'synthetic.xml');
    expect(tree).toEqual(viaFastXmlParser(xml));
    // Every object the document carries comes back as it was written, field for field.
    const parsed = parseAgentXml(xml, 'synthetic.xml').inventory;
    expect(parsed.domains).toHaveLength(600);
    expect(parsed.accounts).toStrictEqual(source.accounts);
    expect(parsed.subscriptions).toStrictEqual(source.subscriptions);
    expect(parsed.domains).toStrictEqual(source.domains);
    expect(parsed.templates).toStrictEqual(source.templates);
  });
});

describe("xml-tree on a real agent's output", () => {
  it("the Linux agent's hostingPlatformInfo over the standard layout: the same tree as fast-xml-parser", async () => {
    const root = tempDir('xml-tree-linux');
    buildLinuxLayout(root, standardLinuxLayout(join(root, 'pwned-marker')));
    const run = await runAgent('linux', [`--root=${root}`, '--extract=hostingPlatformInfo']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const xml = run.stdout.toString('utf8');
    const tree = parseXmlTree(xml, REPEATED, 'linux.xml');
    expect(tree).toEqual(viaFastXmlParser(xml));
    expect(parseAgentXml(xml, 'linux.xml').inventory.domains.length).toBeGreaterThan(0);
  });
});

describe('xml-tree refuses what is not a well-formed document, with line and column', () => {
  const refusals: [string, string, RegExp][] = [
    [
      'a truncated document',
      '<a>\n<b x="1">',
      /bad\.xml line 2, column 10: the document ends inside <b> \(opened on line 2\): it is truncated/,
    ],
    ['a closing tag for another element', '<a>\n  <b></c></a>', /line 2, column 10: unexpected close tag/],
    ['an unquoted attribute', '<a>\n<b x=1/></a>', /line 2, column 7: unquoted attribute value/],
    ['a DOCTYPE inside the root', '<a><!DOCTYPE x [<!ENTITY e "boom">]></a>', /line 1, column 13: .*doctype/],
    [
      'a DOCTYPE declaring an entity',
      '<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>',
      /line 1, column 34: a declaration \(<!DOCTYPE …>\)/,
    ],
    ['two root elements', '<a/><b/>', /line 1, column 8: documents may contain only one root/],
    ['no element at all', '<?xml version="1.0"?>', /must contain a root element/],
  ];
  it.each(refusals)('%s', (_label, xml, message) => {
    expect(() => parseXmlTree(xml, REPEATED, 'bad.xml')).toThrow(message);
  });

  it('the error names the document, line and column as its location too', () => {
    let location: unknown;
    try {
      parseXmlTree('<a>\n  <b></c></a>', REPEATED, 'bad.xml');
    } catch (e) {
      location = (e as { where?: unknown }).where;
    }
    expect(location).toBe('bad.xml:2:10');
  });

  it('nesting deeper than libxml2 allows is refused where it goes too deep, not held frame by frame', () => {
    const depth = 200_000;
    expect(() =>
      parseXmlTree(`<a>\n${'<d>'.repeat(depth)}${'</d>'.repeat(depth)}</a>`, REPEATED, 'deep.xml'),
    ).toThrow(/deep\.xml line 2, column 769: <d> is nested over 256 elements deep/);
    const deepest = `${'<d>'.repeat(MAX_XML_DEPTH)}x${'</d>'.repeat(MAX_XML_DEPTH)}`;
    let tree: unknown = parseXmlTree(deepest, REPEATED, 'deepest.xml');
    let levels = 0;
    while (typeof tree === 'object' && tree !== null) {
      tree = (tree as Record<string, unknown>)['d'];
      levels++;
    }
    expect([levels, tree]).toEqual([MAX_XML_DEPTH, 'x']);
  });

  it('an entity other than the five predefined is refused, never expanded', () => {
    expect(() => parseXmlTree('<a>&lol9;</a>', REPEATED, 'e.xml')).toThrow(
      /e\.xml line 1, column \d+: undefined entity/,
    );
    expect(() => parseXmlTree('<a x="&ext;"/>', REPEATED, 'e.xml')).toThrow(/undefined entity/);
    expect(parseXmlTree('<a x="&lt;&#65;">&amp;&#x42;</a>', REPEATED, 'e.xml')).toEqual({
      a: { '#text': '&B', x: '<A' },
    });
  });
});
