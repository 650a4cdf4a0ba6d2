/**
 * The IP mapping is stored with the project (ip-map.json) and travels in review bundles: a
 * reviewer's read-only copy shows the same pool and table, and refuses edits.
 */
import { describe, expect, it } from 'vitest';
import { createCore } from '../../electron/core/core';
import { ensureDemoProject } from '../../electron/core/demo';
import { tempDir } from '../helpers/paths';

const DEMO = 'demo-migration';

describe('ip-map.json in review bundles', () => {
  it('a read-only copy shows the pool and the table, and refuses edits', async () => {
    const core = createCore({ dataDir: await tempDir(), shell: 'test' });
    await ensureDemoProject(core);
    await core.ipMap.setPool(DEMO, { shared: ['192.0.2.10'], dedicated: ['192.0.2.20'] });
    await core.ipMap.set(DEMO, '198.51.100.10', '192.0.2.10', 'engineer');
    const original = await core.ipMap.view(DEMO);
    const { bytes } = await core.review.exportBundle(DEMO);

    const reviewer = createCore({ dataDir: await tempDir(), shell: 'test' });
    const opened = await reviewer.review.openBundle(bytes, 'demo.mmreview');
    const copy = await reviewer.ipMap.view(opened.id);
    expect(copy.pool).toEqual(original.pool);
    expect(copy.rows.find((r) => r.source === '198.51.100.10')).toMatchObject({
      target: '192.0.2.10',
      origin: 'manual',
      setBy: 'engineer',
    });
    await expect(reviewer.ipMap.set(opened.id, '198.51.100.10', '192.0.2.11')).rejects.toThrow(
      /read-only|review/i,
    );
  });
});
