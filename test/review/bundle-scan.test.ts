/**
 * The bundle scanner finds where each JSON value ends whatever the text inside it (quotes,
 * backslash runs, escapes, multi-byte UTF-8) and wherever the gunzipped chunks are cut: every
 * value it hands over parses to what was written, with chunks of 64 bytes (cut anywhere) and of
 * 256 KB; a holdings member goes to its sink object by object; malformed JSON is refused.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { scanBundle } from '../../electron/core/review/bundle-scan';

const LIMITS = {
  maxExpandedBytes: 64 * 1048576,
  maxHoldingsMemberBytes: 64 * 1048576,
  maxStreamedBytes: 64 * 1048576,
};

/** Strings that end a naive scan early or late. */
const TRICKY = [
  '',
  'plain',
  'a "quoted" word',
  'ends in a backslash \\',
  'two \\\\ backslashes',
  'escaped quote \\" inside',
  '\\\\"',
  '}]{[,:',
  'ü ß 漢字 😀',
  '\u0000\u001f control',
  '\\'.repeat(7) + '"' + '\\'.repeat(8),
];

function holdings(n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'domain',
    key: `domain k${i}`,
    name: TRICKY[i % TRICKY.length] as string,
    ...(i % 2 ? { owner: TRICKY[(i + 3) % TRICKY.length] } : {}),
    fields: { [TRICKY[(i + 5) % TRICKY.length] as string]: TRICKY[(i + 7) % TRICKY.length] as string },
  }));
}

const members = {
  'mapping.json': {
    json: { strings: TRICKY, n: [0, -1.5e3, 1e-7], t: true, f: false, z: null, nested: [[[{}]], {}] },
  },
  'migration-log.jsonl': { lines: TRICKY.map((message, i) => ({ i, message })) },
};
const holdingsName = 'rehearsals/r-20260301-100000-abcdef/holdings.json';
const header = {
  format: 'migration-manager-review-bundle',
  formatVersion: 1,
  exportedBy: TRICKY.join('|'),
  project: { id: 'x', name: 'x' },
};

describe('the bundle scanner', () => {
  for (const chunkSize of [64, 256 * 1024])
    for (const indent of [undefined, 2])
      it(`hands over every value as written (chunks of ${chunkSize} bytes, ${indent ? 'indented' : 'compact'})`, async () => {
        const items = holdings(5_000);
        const text = JSON.stringify(
          { ...header, files: { ...members, [holdingsName]: { json: items } } },
          null,
          indent,
        );
        const got: unknown[] = [];
        const scanned = await scanBundle(
          gzipSync(text),
          'x.mmreview',
          LIMITS,
          async () => ({ write: async (part) => void got.push(...part) }),
          chunkSize,
        );
        expect(scanned.header).toEqual(header);
        expect(scanned.hasFiles).toBe(true);
        expect(Object.fromEntries(scanned.members)).toEqual(members);
        expect(scanned.streamed).toEqual([holdingsName]);
        expect(got).toEqual(items);

        // kept instead of streamed: the same member, whole
        const kept = await scanBundle(gzipSync(text), 'x.mmreview', LIMITS, undefined, chunkSize);
        expect(kept.members.get(holdingsName)).toEqual({ json: items });
      });

  it('refuses malformed JSON as not a bundle', async () => {
    const good = JSON.stringify({ ...header, files: members });
    for (const bad of [
      good.slice(0, -1),
      `${good}x`,
      good.replace('"mapping.json":', '"mapping.json"'),
      '[1,2]',
      '',
    ]) {
      await expect(scanBundle(gzipSync(bad), 'bad.mmreview', LIMITS)).rejects.toThrow(
        'bad.mmreview is not a Migration Manager review bundle (not gzip-compressed JSON).',
      );
    }
  });
});
