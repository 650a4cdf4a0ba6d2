/**
 * What an uninterrupted batch leaves on the target: the rows every fault case must end with.
 * One fresh run of the prepared source, migrated to the end, read back from its sandbox.
 */
import { type PreparedSource, freshRun, mm, parseMigrate } from '../migration/env';
import { holdings } from './proof';

export async function uninterruptedHoldings(
  source: Pick<PreparedSource, 'dataDir'>,
  asyncMs: number,
): Promise<Record<string, number>> {
  const baseline = await freshRun(source, { asyncMs });
  try {
    const run = parseMigrate(await mm(baseline.dataDir, ['migrate', '--json']));
    if (run.state !== 'done') throw new Error(`the uninterrupted baseline batch ended ${run.state}`);
    return holdings(baseline.sandbox);
  } finally {
    await baseline.sandbox.close();
  }
}
