/**
 * Content tests' real parts: the demo hosting layout with the linux agent deployed behind one
 * sshd (the source), a second sshd as the target's web/mail node, and file trees compared by
 * relative path, size, mode and SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { tempDir } from '../helpers/paths';
import { type Sshd, connectTo, startSshd } from '../helpers/sshd';

// The content tests have always reached their sshds through this module.
export { connectTo } from '../helpers/sshd';

/** The linux agent on the source sshd, reading the layout below `root`. */
export async function sourceAgent(conn: SshConnection, sshd: Sshd, root: string): Promise<AgentCommunicator> {
  const agent = new AgentCommunicator(conn, {
    agent: 'linux',
    local: false,
    root,
    agentPath: join(sshd.dir, 'mm-agents'),
    apiVersion: 2,
  });
  await agent.ensureDeployed();
  return agent;
}

/** A source sshd with the demo layout and the linux agent, and a second sshd as the node. */
export interface ContentRig {
  readonly source: Sshd;
  readonly node: Sshd;
  /** The demo layout the agent reads (tests may add files to it before they transfer). */
  readonly root: string;
  readonly srcConn: SshConnection;
  readonly nodeConn: SshConnection;
  readonly agent: AgentCommunicator;
  /** Closes both connections, then stops both sshds. */
  close(): Promise<void>;
}

/** Starts the two sshds, builds the demo layout under a temp folder named `name`, connects. */
export async function contentRig(name: string): Promise<ContentRig> {
  const [source, node] = await Promise.all([startSshd(), startSshd()]);
  const root = await tempDir(`${name}-layout-`);
  buildDemoLayout(root);
  const srcConn = await connectTo(source);
  const nodeConn = await connectTo(node);
  const agent = await sourceAgent(srcConn, source, root);
  return {
    source,
    node,
    root,
    srcConn,
    nodeConn,
    agent,
    close: async () => {
      await srcConn.close();
      await nodeConn.close();
      await source.stop();
      await node.stop();
    },
  };
}

export interface TreeEntry {
  readonly type: 'file' | 'dir' | 'link';
  readonly size?: number;
  readonly mode?: number;
  readonly mtime?: number;
  readonly sha256?: string;
  readonly link?: string;
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every entry below `dir` by relative path (streamed hashes: big files are fine). */
export async function tree(
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const p = join(abs, name);
      const st = await lstat(p);
      if (st.isSymbolicLink()) out.set(r, { type: 'link', link: await readlink(p) });
      else if (st.isDirectory()) {
        out.set(r, { type: 'dir' });
        await walk(p, r);
      } else
        out.set(r, {
          type: 'file',
          size: st.size,
          mode: st.mode & 0o7777,
          mtime: Math.floor(st.mtimeMs / 1000),
          sha256: await sha256(p),
        });
    }
  };
  await walk(dir, '');
  return out;
}
