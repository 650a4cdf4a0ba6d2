/**
 * Times ustar cannot hold, on real parts (issue 12: ownership, modes and mtimes kept): a site
 * with a file dated 1965-03-01 (small and larger than the agent's read block), a folder dated
 * before 1970, a file and a folder dated exactly 1970-01-01T00:00:00Z, and a file owned by uid/gid 3,000,000 goes from the linux agent behind one sshd,
 * through the manager's verifier, into `tar -x` on a second sshd (the web node), in one lane and
 * in two. On the node every file and folder has the source's mtime exactly (the agent carries
 * them in pax records; before, a negative time became a corrupt field). Owners: the node's
 * `tar -x` runs with --no-same-owner (unpack.ts), so the node does not take the source's ids;
 * what the agent writes for them is checked against GNU tar in test/agents/tar-out-of-range.
 */
import { execFileSync } from 'node:child_process';
import { chown, lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { sitePlace } from '../../electron/core/content/layout';
import { type ContentSource, transferContent } from '../../electron/core/content/transfer';
import { tempDir } from '../helpers/paths';
import { type ContentRig, contentRig, tree } from './helpers';

const MARCH_1965 = Date.UTC(1965, 2, 1) / 1000; // -152,668,800
const FOLDER_TIME = Date.UTC(1960, 0, 1) / 1000;
/** The epoch itself: the agent once wrote "now" for a time of exactly 0. */
const EPOCH = 0;
const BIG_ID = 3_000_000;
const SITE = 'acme-widgets.test';

let rig: ContentRig;
let root: string;
let nodeConn: SshConnection;
let agent: AgentCommunicator;
let vhosts: string;
let docRoot: string;

/** touch(1): Node's utimes turns a time before 1970 into now. */
const setTime = (path: string, seconds: number): void => {
  execFileSync('touch', ['-h', '-d', `@${seconds}`, path]);
};

const fromAgent: ContentSource = (out, signal) =>
  agent.stream(['--extract=domainContent', `--domain-id=${SITE}`, `--content-id=site:${SITE}`], out, {
    signal,
  });

beforeAll(async () => {
  rig = await contentRig('mm-times');
  ({ root, nodeConn, agent } = rig);
  docRoot = join(root, 'home/acme/web', SITE, 'public_html');
  await mkdir(join(docRoot, 'archive'));
  await writeFile(join(docRoot, 'archive', 'small-1965.html'), '<p>March 1965</p>\n');
  await writeFile(join(docRoot, 'archive', 'large-1965.bin'), Buffer.alloc(600_000, 0x41));
  await writeFile(join(docRoot, 'owned.html'), '<p>an LDAP owner</p>\n');
  if (process.getuid?.() === 0) await chown(join(docRoot, 'owned.html'), BIG_ID, BIG_ID);
  setTime(join(docRoot, 'archive', 'small-1965.html'), MARCH_1965);
  setTime(join(docRoot, 'archive', 'large-1965.bin'), MARCH_1965);
  await mkdir(join(docRoot, 'epoch'));
  await writeFile(join(docRoot, 'epoch', 'first-second.txt'), 'dated 1970-01-01T00:00:00Z\n');
  setTime(join(docRoot, 'epoch', 'first-second.txt'), EPOCH);
  setTime(join(docRoot, 'epoch'), EPOCH);
  setTime(join(docRoot, 'archive'), FOLDER_TIME); // last: adding entries changed it
  vhosts = join(await tempDir('mm-times-node-'), 'vhosts');
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('times before 1970 from the source to the web node', () => {
  it.each([1, 2])(
    'arrive exactly, files and folders (%i lane(s))',
    async (lanes) => {
      const place = sitePlace(vhosts, 40 + lanes, '', `site:${SITE}`);
      const marker = await transferContent({
        contentId: `site:${SITE}`,
        source: fromAgent,
        node: nodeConn,
        place,
        lanes,
        signal: new AbortController().signal,
      });
      const want = await tree(docRoot);
      const got = await tree(place.final);
      // Bytes, modes and mtimes of every file, as on the source.
      expect(got).toEqual(want);
      expect(got.get('archive/small-1965.html')?.mtime).toBe(MARCH_1965);
      expect(got.get('archive/large-1965.bin')?.mtime).toBe(MARCH_1965);
      expect(marker.files).toBe([...want.values()].filter((e) => e.type === 'file').length);
      // The folder's time (tree() does not compare folders' times).
      const folder = await lstat(join(place.final, 'archive'));
      expect(Math.floor(folder.mtimeMs / 1000)).toBe(FOLDER_TIME);
      expect(Math.floor((await lstat(join(docRoot, 'archive'))).mtimeMs / 1000)).toBe(FOLDER_TIME);
      // Exactly 0, a file and a folder: kept, not made "now".
      expect(got.get('epoch/first-second.txt')?.mtime).toBe(EPOCH);
      expect((await lstat(join(place.final, 'epoch'))).mtimeMs).toBe(EPOCH);
    },
    120_000,
  );
});
