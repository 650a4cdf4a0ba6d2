/**
 * The journal on a disk that fills in the middle of a write: a write() that takes only part of
 * the bytes (no error) must not acknowledge the entries, or a call made on an intent that never
 * reached the disk is made again after a restart (a duplicate on the target). Every entry the
 * journal acknowledged is on disk when it is read again; the torn rest is cut, never glued.
 */
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths';
import { onSmallDisk } from './small-disk';

describe('the journal when the disk fills mid-write', () => {
  it('acknowledges only entries that are whole on disk', async () => {
    const run = await onSmallDisk(
      512,
      [
        'fill 40', // 40 KiB free: two 16 KiB intents fit, the third is cut short
        `${process.execPath} --import tsx test/faults/journal-writer.ts "$DISK/journal.jsonl"`,
      ].join('\n'),
      { REPO: REPO_ROOT },
    );
    expect(run.stderr).toBe('');
    const { acked, refused, held } = JSON.parse(run.stdout) as Record<'acked' | 'refused' | 'held', string[]>;
    console.log(
      `[fault] journal on a full disk: acknowledged ${acked.join(', ')}; refused ${refused.length}; held after reload ${held.join(', ')}`,
    );
    expect(refused.length).toBeGreaterThan(0); // the disk really filled
    expect(acked.length).toBeGreaterThan(0);
    expect(held).toEqual(acked); // nothing acknowledged is lost, nothing refused is held
  }, 120_000);
});
