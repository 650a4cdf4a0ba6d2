/**
 * Content transfer against OpenSSH on the same bytes, over loopback, in the same run (rounds
 * interleaved, so a load that comes and goes weighs on both sides alike):
 * - one site holding a 512 MB file, moved by the manager (the linux agent's domainContent
 *   tarball read from a source sshd, checked member by member against its manifest, unpacked
 *   into staging on a second sshd — the web node — and published) against `scp` of the same
 *   file to the node, with OpenSSH's default cipher and with the manager's (aes128-gcm), and
 *   `scp -3` from the source sshd to the node through this machine (the same two hops);
 * - a Maildir of 100,000 small messages, moved the same way, against `tar c | ssh tar x` of the
 *   same tree to the node (and `ssh source tar c | ssh node tar x`, the same two hops);
 * - the manager's peak RSS above idle during the large transfer (it must not grow with the
 *   content).
 * Each figure is the best of ROUNDS runs, printed with its spread. Goals (issue "Content
 * transfer"): ≥ 90 % of scp for the site, ≥ 90 % of `tar c | ssh tar x` for the Maildir, < 64 MB
 * above idle. Needs root for the sshds (as the SSH tests do).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import { connectSsh } from '../../electron/core/agent/ssh-transport';
import { type ContentPlace, mailboxPlace, sitePlace } from '../../electron/core/content/layout';
import { transferContent } from '../../electron/core/content/transfer';
import { type Sshd, startSshd } from '../../test/helpers/sshd';
import { goal, reportGoals } from './goals';

const run = promisify(execFile);
const DOMAIN = 'acme-widgets.example';
const MAIL_DOMAIN = 'acme-widgets.test';
const MAILBOX = `ann@${MAIL_DOMAIN}`;
const MB = 1024 * 1024;
const SITE_BYTES = 512 * MB;
const MESSAGES = Number(process.env['MM_BENCH_MESSAGES'] ?? 100_000);
const ROUNDS = Number(process.env['MM_BENCH_ROUNDS'] ?? 3);
/** The cipher ssh2 negotiates first (AES-NI): scp with it is the like-for-like baseline. */
const MANAGER_CIPHER = 'aes128-gcm@openssh.com';

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-content-'));
const root = join(dir, 'layout');
buildDemoLayout(root);
const bigPath = join(root, 'home/acme/web', DOMAIN, 'public_html/big.bin');
const big = await open(bigPath, 'w');
for (let done = 0; done < SITE_BYTES; done += MB) await big.write(randomBytes(MB));
await big.close();

// The Maildir: small messages (0.5–4.5 KB of text) in cur/, new/ and a folder, Maildir-named.
const maildir = join(root, 'var/mail/vhosts', MAIL_DOMAIN, 'ann');
const folders = ['cur', 'new', '.Archive/cur'];
for (const f of folders) await mkdir(join(maildir, f), { recursive: true });
let mailBytes = 0;
const text = randomBytes(6 * 1024).toString('base64');
for (let i = 0; i < MESSAGES; i++) {
  const body = `From: bench@example.test\nSubject: message ${i}\n\n${text.slice(0, 512 + ((i * 7919) % 4096))}\n`;
  const folder = folders[i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0]!;
  await writeFile(join(maildir, folder, `17170${String(i).padStart(5, '0')}.M${i}P1.bench:2,S`), body);
  mailBytes += Buffer.byteLength(body);
}

const sshArgs = (s: Sshd, cipher?: string): string[] => [
  '-i',
  s.clientKeyPath,
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  ...(cipher ? ['-c', cipher] : []),
];
const sshTo = (s: Sshd): string => `ssh ${sshArgs(s).join(' ')} -p ${s.port} ${s.user}@127.0.0.1`;
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Measured {
  readonly what: string;
  readonly bytes: number;
  readonly ms: number[];
}
const best = (m: Measured): number => Math.min(...m.ms);
const rate = (m: Measured, ms = best(m)): number => m.bytes / MB / (ms / 1000);
const line = (m: Measured): string => {
  const rates = m.ms.map((ms) => rate(m, ms));
  return `${m.what.padEnd(50)} ${(m.bytes / MB).toFixed(0)} MB: best ${best(m).toFixed(0)} ms = ${rate(m).toFixed(0)} MB/s (runs ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)} MB/s)`;
};
const measure = (what: string, bytes: number): Measured => ({ what, bytes, ms: [] });
async function timeInto(m: Measured, once: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await once();
  m.ms.push(performance.now() - t);
}

const [source, node] = await Promise.all([startSshd(), startSshd()]);
// One identity for both ends, so `scp -3` (one -i for both hosts) reaches both.
await appendFile(join(node.dir, 'authorized_keys'), await readFile(`${source.clientKeyPath}.pub`));
const nodeRoot = join(dir, 'node');
const connect = (s: Sshd) =>
  connectSsh({
    host: '127.0.0.1',
    port: s.port,
    user: s.user,
    credentials: { privateKey: s.clientKey },
    hostKey: { mode: 'pinned', fingerprint: s.hostFingerprint },
  });
try {
  await mkdir(join(nodeRoot, 'scp'), { recursive: true });
  const [src, dst] = await Promise.all([connect(source), connect(node)]);
  const agent = new AgentCommunicator(src, {
    agent: 'linux',
    local: false,
    root,
    agentPath: join(source.dir, 'mm-agents'),
    apiVersion: 2,
  });
  await agent.ensureDeployed();
  const moveContent = (contentId: string, domain: string, place: ContentPlace) =>
    transferContent({
      contentId,
      node: dst,
      place,
      signal: new AbortController().signal,
      source: (out, signal, extra) =>
        agent.stream(
          ['--extract=domainContent', `--domain-id=${domain}`, `--content-id=${contentId}`, ...extra],
          out,
          { signal },
        ),
    });
  const scpTo = join(nodeRoot, 'scp', 'big.bin');
  const scpDefault = measure('scp this machine → node (default cipher)', SITE_BYTES);
  const scpGcm = measure(`scp this machine → node (${MANAGER_CIPHER})`, SITE_BYTES);
  const scp3 = measure('scp -3 source sshd → this machine → node', SITE_BYTES);
  const site = measure('content: source sshd → manager → node sshd', SITE_BYTES);
  const tarSsh = measure('tar c | ssh node tar x (Maildir)', mailBytes);
  const tarSsh2 = measure('ssh source tar c | ssh node tar x (Maildir)', mailBytes);
  const mailbox = measure('content: Maildir source → manager → node', mailBytes);
  let sitePeak = 0;
  let mailPeak = 0;
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadavg()[0]!);
    await timeInto(scpDefault, () =>
      run('scp', [...sshArgs(node), '-P', String(node.port), bigPath, `${node.user}@127.0.0.1:${scpTo}`]),
    );
    await timeInto(scpGcm, () =>
      run('scp', [
        ...sshArgs(node, MANAGER_CIPHER),
        '-P',
        String(node.port),
        bigPath,
        `${node.user}@127.0.0.1:${scpTo}`,
      ]),
    );
    await timeInto(scp3, () =>
      run('scp', [
        '-3',
        ...sshArgs(source),
        `scp://${source.user}@127.0.0.1:${source.port}/${bigPath}`,
        `scp://${node.user}@127.0.0.1:${node.port}/${scpTo}`,
      ]),
    );
    await rm(join(nodeRoot, 'scp', 'big.bin'), { force: true });
    global.gc?.();
    const idle = process.memoryUsage().rss;
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const sitePlaceNow = sitePlace(join(nodeRoot, 'vhosts'), round + 1, '', `site:${DOMAIN}`);
    await timeInto(site, () => moveContent(`site:${DOMAIN}`, DOMAIN, sitePlaceNow));
    clearInterval(sampler);
    sitePeak = Math.max(sitePeak, peak - idle);
    await rm(join(nodeRoot, 'vhosts'), { recursive: true, force: true });

    const tarTo = join(nodeRoot, 'tar');
    await mkdir(tarTo, { recursive: true });
    await timeInto(tarSsh, () =>
      run('sh', ['-c', `tar -cf - -C ${q(maildir)} . | ${sshTo(node)} tar -xf - -C ${q(tarTo)}`]),
    );
    await rm(tarTo, { recursive: true, force: true });
    await mkdir(tarTo, { recursive: true });
    await timeInto(tarSsh2, () =>
      run('sh', [
        '-c',
        `${sshTo(source)} tar -cf - -C ${q(maildir)} . | ${sshTo(node)} tar -xf - -C ${q(tarTo)}`,
      ]),
    );
    await rm(tarTo, { recursive: true, force: true });
    global.gc?.();
    const mailIdle = process.memoryUsage().rss;
    let mailMax = mailIdle;
    const mailSampler = setInterval(() => (mailMax = Math.max(mailMax, process.memoryUsage().rss)), 20);
    const boxPlace = mailboxPlace(join(nodeRoot, 'mail'), MAILBOX, `mailbox:${MAILBOX}`);
    const marker = await (async () => {
      const t = performance.now();
      const m = await moveContent(`mailbox:${MAILBOX}`, MAIL_DOMAIN, boxPlace);
      mailbox.ms.push(performance.now() - t);
      return m;
    })();
    clearInterval(mailSampler);
    mailPeak = Math.max(mailPeak, mailMax - mailIdle);
    if (marker.files < MESSAGES) throw new Error(`the Maildir arrived with ${marker.files} files`);
    await rm(join(nodeRoot, 'mail'), { recursive: true, force: true });
  }
  await src.close();
  await dst.close();

  console.log(
    `${ROUNDS} rounds; load average at each round's start: ${loads.map((l) => l.toFixed(1)).join(', ')} (2 cores)`,
  );
  for (const m of [scpDefault, scpGcm, scp3, site]) console.log(line(m));
  // The baseline is the faster scp: OpenSSH's default cipher or the manager's.
  const scpBest = Math.max(rate(scpDefault), rate(scpGcm));
  const siteShare = rate(site) / scpBest;
  console.log(
    `content throughput / scp: ${(siteShare * 100).toFixed(0)} % ${goal('content throughput', '≥ 90 % of scp', siteShare >= 0.9)}` +
      ` (/ scp -3, the same two hops: ${((rate(site) / rate(scp3)) * 100).toFixed(0)} %)`,
  );
  for (const m of [tarSsh, tarSsh2, mailbox]) console.log(line(m));
  const mailShare = rate(mailbox) / rate(tarSsh);
  console.log(
    `Maildir of ${MESSAGES} messages / tar c | ssh tar x: ${(mailShare * 100).toFixed(0)} % ${goal('Maildir throughput', '≥ 90 % of tar c | ssh tar x', mailShare >= 0.9)}` +
      ` (/ the same two hops: ${((rate(mailbox) / rate(tarSsh2)) * 100).toFixed(0)} %)`,
  );
  const above = sitePeak / MB;
  console.log(
    `manager peak RSS during the 512 MB transfer: ${above.toFixed(0)} MB above idle ${goal('content memory', '< 64 MB above idle', above < 64)}` +
      ` (Maildir: ${(mailPeak / MB).toFixed(0)} MB)`,
  );
} finally {
  await source.stop();
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}
reportGoals();
