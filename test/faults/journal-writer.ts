/**
 * Run inside a small disk (see journal-short-write.test.ts): appends one large intent after
 * another to a FileJournal until the disk is full, printing which appends were acknowledged,
 * then loads the file afresh and prints which intents it holds.
 */
import { FileJournal } from '../../electron/core/migration/file-journal';

const file = process.argv[2] ?? '';
const journal = new FileJournal(file);
const acked: string[] = [];
const refused: string[] = [];
for (let i = 0; i < 12; i++) {
  const step = `step-${i}`;
  try {
    await journal.append([
      { t: 'intent', job: 'j1', step, intent: { chosen: { pad: 'x'.repeat(16 * 1024) }, attempt: 1 } },
    ]);
    acked.push(step);
  } catch {
    refused.push(step);
  }
}
await journal.close();
const held = [...(await new FileJournal(file).load()).intents.keys()];
process.stdout.write(`${JSON.stringify({ acked, refused, held })}\n`);
