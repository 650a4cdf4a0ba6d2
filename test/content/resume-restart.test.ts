/**
 * A manager killed in the middle of a large site's transfer resumes it after it is started
 * again, on real parts: `mm migrate` as a real child process, the demo layout behind one sshd
 * (the source), web and mail nodes behind a second sshd reached through a TCP proxy that counts
 * the bytes sent to the node. The batch is killed with SIGKILL once part of the site is staged;
 * the next `mm migrate` finishes, the node has the source's bytes file by file, the files staged
 * whole before the kill keep their inodes (they were not moved again), and the bytes sent to the
 * node the second time are about the rest of the site, not the whole of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { PROJECT, type PreparedSource, freshRun, prepareSource } from '../migration/env';
import { tree } from './helpers';
import {
  type CountingProxy,
  addNodes,
  countingProxy,
  filesIn,
  killMigrateWhen,
  resumeLogs,
  resumeSite,
  siteStaging,
} from './resume-harness';

const MB = 1024 * 1024;
const FILES = 30;
const FILE_SIZE = 6 * MB;
const DOMAIN = 'patlens.test';

let source: PreparedSource;
let nodeSshd: Sshd;
let proxy: CountingProxy;

beforeAll(async () => {
  [source, nodeSshd] = await Promise.all([prepareSource(), startSshd()]);
  proxy = await countingProxy(nodeSshd.port);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await source?.stop();
  await nodeSshd?.stop();
});

describe('mm migrate killed with SIGKILL mid-transfer, started again', () => {
  it('resumes the site from its staging folder: staged files are not moved again, the site arrives whole', async () => {
    const docRoot = join(source.root, 'home/photo/web', DOMAIN, 'public_html');
    await mkdir(join(docRoot, 'gallery'), { recursive: true });
    for (let i = 0; i < FILES; i++)
      await writeFile(
        join(docRoot, 'gallery', `shot-${String(i).padStart(2, '0')}.raw`),
        randomBytes(FILE_SIZE),
      );
    const siteBytes = [...(await tree(docRoot)).values()].reduce((n, e) => n + (e.size ?? 0), 0);

    const { dataDir, sandbox } = await freshRun(source);
    const nodeDir = await tempDir('mm-resume-restart-nodes-');
    try {
      await addNodes(dataDir, nodeDir, proxy.port, nodeSshd);

      const staging = (): string | undefined => siteStaging(sandbox, nodeDir, DOMAIN);
      const project = join(dataDir, 'projects', PROJECT);
      // Kill once a third of the gallery is staged whole and the project's resume log says so.
      let whole = new Map<string, { size: number; ino: number }>();
      const { killed } = await killMigrateWhen(dataDir, async () => {
        const dir = staging();
        if (!dir) return false;
        const held = await filesIn(join(dir, 'gallery'));
        whole = new Map([...held].filter(([, f]) => f.size === FILE_SIZE));
        return whole.size >= FILES / 3 && (await resumeLogs(project)).size > 0;
      });
      expect(killed, 'the batch was killed in the middle of the site').toBe(true);
      expect(whole.size, 'the batch was killed in the middle of the site').toBeGreaterThanOrEqual(FILES / 3);
      expect(whole.size).toBeLessThan(FILES);
      // What the node holds after the kill (tar on the node may have written a little more).
      // The site arrives whole; the files staged whole before the kill are the very files published.
      const { held, movedAgain } = await resumeSite({
        dataDir,
        proxy,
        sandbox,
        nodeDir,
        domain: DOMAIN,
        docRoot,
        whole,
      });
      // The resume log served its purpose and is gone.
      expect([...(await resumeLogs(project)).keys()]).toEqual([]);
      // Bytes sent to the node the second time: the rest of the site (plus SSH framing and the
      // content steps the first run had not reached), far from the whole site again.
      expect(movedAgain).toBeGreaterThan(siteBytes - held);
      // (The demo's other content is well under a megabyte; a file moved again would be 6 MB.)
      expect(movedAgain).toBeLessThan(siteBytes - held + FILE_SIZE);
      console.log(
        `resume after SIGKILL: ${whole.size} of ${FILES} files staged whole (${(held / MB).toFixed(1)} MB held) ` +
          `when mm migrate was killed; the second run sent ${(movedAgain / MB).toFixed(1)} MB to the node ` +
          `for a site of ${(siteBytes / MB).toFixed(1)} MB`,
      );
    } finally {
      await sandbox.close();
    }
  }, 400_000);
});
