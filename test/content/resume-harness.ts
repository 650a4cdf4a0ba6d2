/**
 * What the content resume tests share: a TCP proxy to the node's sshd that counts the bytes in
 * each direction, target nodes registered with `mm`, an `mm migrate` child killed with SIGKILL
 * once a condition on the node holds, a transfer cut by killing one sshd's sessions (then
 * connected again), the regular files of a folder with their inodes, and the resume logs a
 * project holds (files, or rows on a shared project's PostgreSQL); the cut tests' set-up (two
 * sshds, the demo layout with a site's files, a connected CutRig, the node's vhosts folder).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import type { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import type { SshConnection } from '../../electron/core/agent/ssh-transport';
import { type TransferOptions, transferContent } from '../../electron/core/content/transfer';
import { linkedPgStore } from '../../electron/core/store/postgres-store';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Sshd, startSshd } from '../helpers/sshd';
import { expect } from 'vitest';
import { contentKey } from '../../electron/core/content/layout';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { mm, mmOk, parseMigrate } from '../migration/env';
import { connectTo, sourceAgent, tree } from './helpers';

/** A TCP proxy to the node's sshd: `sent` counts the manager's bytes to the node, `received` the node's answers. */
export interface CountingProxy {
  readonly port: number;
  sent: number;
  received: number;
  close(): Promise<void>;
}

export async function countingProxy(to: number): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CountingProxy = { port: 0, sent: 0, received: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = connect(to, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (d: Buffer) => (proxy.sent += d.length));
    upstream.on('data', (d: Buffer) => (proxy.received += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(proxy, {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

/** Registers web and mail nodes (`<nodeDir>/vhosts`, `<nodeDir>/mail`) reached at `port` as `sshd`'s user. */
export async function addNodes(dataDir: string, nodeDir: string, port: number, sshd: Sshd): Promise<void> {
  for (const [role, root] of [
    ['web', join(nodeDir, 'vhosts')],
    ['mail', join(nodeDir, 'mail')],
  ] as const)
    await mmOk(dataDir, [
      'target',
      'node',
      'add',
      role,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--user',
      sshd.user,
      '--key',
      sshd.clientKeyPath,
      '--root',
      root,
      '--trust-new-host-key',
    ]);
}

/**
 * `mm migrate` as a child process, killed with SIGKILL as soon as `ready()` says so (polled
 * every few milliseconds). Resolves once it is gone: whether it was killed, or ended by itself.
 */
export async function killMigrateWhen(
  dataDir: string,
  ready: () => Promise<boolean>,
): Promise<{ killed: boolean }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', 'migrate', '--json', '--data-dir', dataDir],
    { cwd: REPO_ROOT, stdio: 'ignore' },
  );
  let exited = false;
  const closed = new Promise<void>((r) => child.once('close', () => ((exited = true), r())));
  let killed = false;
  while (!exited) {
    if (await ready()) {
      killed = child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await closed;
  return { killed };
}

/** Regular files directly in `dir` with their size and inode (none when it is not there). */
export async function filesIn(dir: string): Promise<Map<string, { size: number; ino: number }>> {
  const out = new Map<string, { size: number; ino: number }>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) out.set(name, { size: st.size, ino: st.ino });
  }
  return out;
}

/**
 * The resume logs a project holds, name → lines: `<project>/content-resume/*.jsonl` for a file
 * project, the `mm_journal` rows of `content-resume/…` venues for one kept in PostgreSQL.
 */
export async function resumeLogs(projectDir: string): Promise<Map<string, number>> {
  const linked = await linkedPgStore(projectDir);
  const out = new Map<string, number>();
  if (linked) {
    const { rows } = await linked.store.query<{ venue: string; n: string }>(
      `SELECT venue, count(*) AS n FROM mm_journal WHERE project_id = $1 AND venue LIKE 'content-resume/%'
       GROUP BY venue`,
      [linked.projectId],
    );
    for (const r of rows) out.set(r.venue, Number(r.n));
    return out;
  }
  const dir = join(projectDir, 'content-resume');
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.jsonl')) continue;
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    out.set(`content-resume/${name}`, text.split('\n').filter((l) => l !== '').length);
  }
  return out;
}

/**
 * The source's linux agent behind one sshd and the node behind another, for transfers run in
 * the test's process; `cut` kills one side's sshd sessions once a condition on the node holds
 * (the connection drops mid-transfer) and connects that side again afterwards.
 */
export class CutRig {
  srcConn!: SshConnection;
  nodeConn!: SshConnection;
  agent!: AgentCommunicator;

  constructor(
    readonly source: Sshd,
    readonly node: Sshd,
    /** The layout the agent reads. */
    readonly root: string,
  ) {}

  async connect(): Promise<this> {
    this.srcConn = await connectTo(this.source);
    this.nodeConn = await connectTo(this.node);
    this.agent = await sourceAgent(this.srcConn, this.source, this.root);
    return this;
  }

  async close(): Promise<void> {
    await this.srcConn?.close();
    await this.nodeConn?.close();
  }

  /** The agent's domainContent tarball of one content id (plus the resume arguments given). */
  fromAgent(domain: string, contentId: string): TransferOptions['source'] {
    return (out, signal, extra) =>
      this.agent.stream(
        ['--extract=domainContent', `--domain-id=${domain}`, `--content-id=${contentId}`, ...extra],
        out,
        { signal },
      );
  }

  /** A resumable transfer to this rig's node. */
  transfer(
    o: Pick<TransferOptions, 'contentId' | 'source' | 'place'> & Partial<TransferOptions>,
  ): ReturnType<typeof transferContent> {
    return transferContent({ node: this.nodeConn, signal: new AbortController().signal, resume: true, ...o });
  }

  /**
   * Runs `run` while watching `reached`; once it holds, every session of the `side` sshd is
   * killed. Resolves to what `run` threw (undefined when it finished), after connecting again.
   */
  async cut(
    reached: () => Promise<boolean>,
    side: 'source' | 'node',
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    let killed = false;
    const watcher = setInterval(() => {
      void reached().then((yes) => {
        if (!killed && yes) {
          killed = true;
          (side === 'source' ? this.source : this.node).signalSessions('SIGKILL');
        }
      });
    }, 5);
    try {
      await run();
      return undefined;
    } catch (e) {
      return e;
    } finally {
      clearInterval(watcher);
      // Every session of that sshd died: connect again (the agent stays deployed).
      if (side === 'source') {
        await this.srcConn.close();
        this.srcConn = await connectTo(this.source);
        this.agent = await sourceAgent(this.srcConn, this.source, this.root);
      } else {
        await this.nodeConn.close();
        this.nodeConn = await connectTo(this.node);
      }
    }
  }
}

/** The node's webspace folder of `domain`, once the sandbox has given the domain a webspace. */
export function webspaceOf(sandbox: RunningSandbox, nodeDir: string, domain: string): string | undefined {
  const ws = sandbox.state().domains.find((d) => d['domain_name'] === domain)?.['webspace_id'];
  return ws === undefined ? undefined : join(nodeDir, 'vhosts', String(ws), 'webspace');
}

/** The staging folder of `domain`'s site on the node (undefined before its webspace exists). */
export function siteStaging(sandbox: RunningSandbox, nodeDir: string, domain: string): string | undefined {
  const webspace = webspaceOf(sandbox, nodeDir, domain);
  return webspace && join(webspace, '.mm-staging', contentKey(`site:${domain}`));
}

/**
 * After `mm migrate` was killed mid-site: runs it again in `dataDir` (counting what the proxy
 * sends to the node) and checks the site was published as the source holds it, the staging
 * folder emptied, and every file staged whole before the kill published as that very file (same
 * inode: not moved again). Returns the bytes the node held in `gallery/` after the kill and the
 * bytes sent the second time.
 */
export async function resumeSite(o: {
  readonly dataDir: string;
  readonly proxy: CountingProxy;
  readonly sandbox: RunningSandbox;
  readonly nodeDir: string;
  readonly domain: string;
  readonly docRoot: string;
  readonly whole: ReadonlyMap<string, { readonly ino: number }>;
}): Promise<{ held: number; movedAgain: number }> {
  const staging = siteStaging(o.sandbox, o.nodeDir, o.domain) as string;
  const afterKill = await filesIn(join(staging, 'gallery'));
  const held = [...afterKill.values()].reduce((n, f) => n + f.size, 0);

  o.proxy.sent = 0;
  const run = parseMigrate(await mm(o.dataDir, ['migrate', '--json']));
  expect(run.failures).toEqual([]);
  expect(run.state).toBe('done');
  const movedAgain = o.proxy.sent;

  const webspace = webspaceOf(o.sandbox, o.nodeDir, o.domain) as string;
  expect(await tree(join(webspace, 'httpdocs'))).toEqual(await tree(o.docRoot));
  expect(await readdir(join(webspace, '.mm-staging'))).toEqual([]);
  const published = await filesIn(join(webspace, 'httpdocs', 'gallery'));
  for (const [name, f] of o.whole) expect(published.get(name)?.ino, name).toBe(f.ino);
  return { held, movedAgain };
}

/** What cutSite set up: the rig on both sshds, the layout's root, the site's document root and the node's vhosts. */
export interface CutSite {
  readonly rig: CutRig;
  readonly root: string;
  readonly docRoot: string;
  readonly vhosts: string;
  /** Closes the rig's connections and stops both sshds. */
  close(): Promise<void>;
}

/**
 * The set-up the cut-transfer tests share: a source sshd and a node sshd, the demo layout (in a
 * temp folder `<name>-layout-…`) with `domain`'s document root filled by `fill`, a CutRig
 * connected to both, and the node's empty vhosts folder (in `<name>-node-…`).
 */
export async function cutSite(
  name: string,
  domain: string,
  fill: (docRoot: string) => Promise<void>,
): Promise<CutSite> {
  const [source, node] = await Promise.all([startSshd(), startSshd()]);
  const root = await tempDir(`${name}-layout-`);
  buildDemoLayout(root);
  const docRoot = join(root, 'home/acme/web', domain, 'public_html');
  await fill(docRoot);
  const rig = await new CutRig(source, node, root).connect();
  const vhosts = join(await tempDir(`${name}-node-`), 'vhosts');
  return {
    rig,
    root,
    docRoot,
    vhosts,
    close: async () => {
      await rig.close();
      await source.stop();
      await node.stop();
    },
  };
}

/**
 * `count` files of `size` random bytes in `dir` (clip-00.bin, clip-01.bin, …), each with the
 * mtime `mtime`: tar sets a file's mtime only after its last byte, so a cut file shows "now".
 */
export async function writeClips(dir: string, count: number, size: number, mtime: Date): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const file = join(dir, `clip-${String(i).padStart(2, '0')}.bin`);
    await writeFile(file, randomBytes(size));
    await utimes(file, mtime, mtime);
  }
}

/**
 * The attempt after a cut: runs the transfer again on `rig`, counting the bytes that move, and
 * checks that the site published is the source's `docRoot` file by file and that the marker
 * counts every file and byte of it. Returns the bytes moved.
 */
export async function transferWhole(
  rig: CutRig,
  docRoot: string,
  o: Pick<TransferOptions, 'contentId' | 'source' | 'place'> & Partial<TransferOptions>,
): Promise<{ moved: number }> {
  let moved = 0;
  const marker = await rig.transfer({ ...o, onProgress: (b) => (moved = b) });
  const want = await tree(docRoot);
  expect(await tree(o.place.final)).toEqual(want);
  const files = [...want.values()].filter((e) => e.type === 'file');
  expect(marker.files).toBe(files.length);
  expect(marker.bytes).toBe(files.reduce((n, e) => n + (e.size ?? 0), 0));
  return { moved };
}
