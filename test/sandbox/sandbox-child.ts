/**
 * A sandbox in a process of its own, for tests that kill it (SIGKILL) and start it again on the
 * same data dir: `node --import tsx test/sandbox/sandbox-child.ts <dataDir>` prints one JSON
 * line with its URLs once it listens (after loading and compacting its state).
 */
import { startSandbox } from '../../electron/sandbox/sandbox';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('sandbox-child.ts: the data dir is its first argument');
const sandbox = await startSandbox({ dataDir, poaPort: 0, pbaPort: 0, webPort: 0 });
process.stdout.write(`${JSON.stringify({ poaUrl: sandbox.poaUrl, pbaUrl: sandbox.pbaUrl })}\n`);
process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
