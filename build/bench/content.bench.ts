/**
 * Content transfer against OpenSSH on the same bytes, over loopback, in the same run: one site
 * holding a 512 MB file, moved by the manager (the linux agent's domainContent tarball read from
 * a source sshd, checked member by member against its manifest, unpacked into staging on a
 * second sshd — the web node — and published) against
 * - `scp` of the same file from this machine to the node (one hop: the baseline), and
 * - `scp -3` from the source sshd to the node through this machine (the same two hops).
 * Also the manager's peak RSS during the transfer above idle (it must not grow with the content).
 * Goals (issue "Content transfer"): ≥ 90 % of scp's throughput; < 64 MB above idle.
 * Needs root for the sshd (as the SSH tests do).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import { connectSsh } from '../../electron/core/agent/ssh-transport';
import { sitePlace } from '../../electron/core/content/layout';
import { transferContent } from '../../electron/core/content/transfer';
import { type Sshd, startSshd } from '../../test/helpers/sshd';
import { goal, reportGoals } from './goals';

const run = promisify(execFile);
const DOMAIN = 'acme-widgets.example';
const SIZE = 512 * 1024 * 1024;
const MB = 1024 * 1024;
const RUNS = 2;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-content-'));
const root = join(dir, 'layout');
buildDemoLayout(root);
const bigPath = join(root, 'home/acme/web', DOMAIN, 'public_html/big.bin');
const big = await open(bigPath, 'w');
for (let done = 0; done < SIZE; done += MB) await big.write(randomBytes(MB));
await big.close();

const sshArgs = (s: Sshd): string[] => [
  '-i',
  s.clientKeyPath,
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
];

async function timed(once: (i: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await once(i);
    times.push(performance.now() - t);
  }
  return median(times);
}
const rate = (ms: number): number => SIZE / MB / (ms / 1000);
const line = (what: string, ms: number): string =>
  `${what.padEnd(46)} ${(SIZE / MB).toFixed(0)} MB in ${ms.toFixed(0)} ms = ${rate(ms).toFixed(0)} MB/s`;

const [source, node] = await Promise.all([startSshd(), startSshd()]);
const nodeRoot = join(dir, 'node');
try {
  await run('mkdir', ['-p', join(nodeRoot, 'scp')]);
  const scp = await timed(() =>
    run('scp', [
      ...sshArgs(node),
      '-P',
      String(node.port),
      bigPath,
      `${node.user}@127.0.0.1:${join(nodeRoot, 'scp', 'big.bin')}`,
    ]).then(() => undefined),
  );
  console.log(line('baseline: scp this machine → node', scp));
  // scp -3 takes one identity and one port option for both ends: both sshds accept the same user
  // and keys only if they were made with the same key, so it is measured when that holds.
  const connect = (s: Sshd) =>
    connectSsh({
      host: '127.0.0.1',
      port: s.port,
      user: s.user,
      credentials: { privateKey: s.clientKey },
      hostKey: { mode: 'pinned', fingerprint: s.hostFingerprint },
    });
  const [src, dst] = await Promise.all([connect(source), connect(node)]);
  const agent = new AgentCommunicator(src, {
    agent: 'linux',
    local: false,
    root,
    agentPath: join(source.dir, 'mm-agents'),
    apiVersion: 2,
  });
  await agent.ensureDeployed();
  global.gc?.();
  const idle = process.memoryUsage().rss;
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const content = await timed(async (i) => {
    await transferContent({
      contentId: `site:${DOMAIN}`,
      node: dst,
      place: sitePlace(join(nodeRoot, 'vhosts'), i + 1, '', `site:${DOMAIN}`),
      signal: new AbortController().signal,
      source: (out, signal) =>
        agent.stream(
          ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=site:${DOMAIN}`],
          out,
          {
            signal,
          },
        ),
    });
  });
  clearInterval(sampler);
  await src.close();
  await dst.close();
  console.log(line('content: source sshd → manager → node sshd', content));
  const share = scp / content;
  console.log(
    `content throughput / scp: ${(share * 100).toFixed(0)} % ${goal('content throughput', '≥ 90 % of scp', share >= 0.9)}`,
  );
  const above = (peak - idle) / MB;
  console.log(
    `manager peak RSS during the transfer: ${above.toFixed(0)} MB above idle ${goal('content memory', '< 64 MB above idle', above < 64)}`,
  );
} finally {
  await source.stop();
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}
reportGoals();
