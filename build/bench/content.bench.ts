/**
 * Content transfer against OpenSSH on the same bytes, over loopback, in the same run (rounds
 * interleaved, so a load that comes and goes weighs on both sides alike):
 * - one site holding a 512 MB file, moved by the manager (the linux agent's domainContent
 *   tarball read from a source sshd, checked member by member against its manifest, unpacked
 *   into staging on a second sshd — the web node — and published) against `scp` of the same
 *   file to the node, with OpenSSH's default cipher and with the manager's (aes128-gcm), and
 *   `scp -3` from the source sshd to the node through this machine (the same two hops);
 * - a Maildir of 100,000 small messages, moved the same way, against `tar c | ssh tar x` of the
 *   same tree to the node (with MM_BENCH_TWO_HOP=1 also, once, `ssh source tar c | ssh node
 *   tar x`, the same two hops);
 * - the manager's peak RSS above idle during the large transfer (it must not grow with the
 *   content);
 * - the CPU seconds per GB of each side (source sshd and the agent, the manager, node sshd and
 *   `tar -x`) for the manager's transfers and their baselines: on 2 cores the pipeline's total
 *   CPU is what sets its pace, and these lines say where the gap is.
 * Each figure is the best of ROUNDS (2) runs, printed with its spread; the page cache is synced
 * before each timed run. The 512 MB file and the Maildir are built once and kept under
 * test-output/bench-cache/ (MM_BENCH_MESSAGES sets the Maildir's size). Goals (issue "Content
 * transfer"): ≥ 90 % of scp for the site, ≥ 90 % of `tar c | ssh tar x` for the Maildir, < 64 MB
 * above idle. Needs root for the sshds (as the SSH tests do).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  appendFile,
  copyFile,
  link,
  mkdir,
  mkdtemp,
  open,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { AgentCommunicator } from '../../electron/core/agent/agent-communicator';
import { type ContentPlace, mailboxPlace, sitePlace } from '../../electron/core/content/layout';
import { lanesFor, transferContent } from '../../electron/core/content/transfer';
import { connectTo, type Sshd, startSshd } from '../../test/helpers/sshd';
import { goal, reportGoals } from './goals';
import { GcSpans } from './gc-spans';
import { type CpuSpan, cpuDuring, perGb } from './proc-cpu';
import { type StateCounts, stateLine, statesDuring } from './proc-state';

const run = promisify(execFile);
const DOMAIN = 'acme-widgets.example';
const MAIL_DOMAIN = 'acme-widgets.test';
const MAILBOX = `ann@${MAIL_DOMAIN}`;
const MB = 1024 * 1024;
const SITE_BYTES = 512 * MB;
const MESSAGES = Number(process.env['MM_BENCH_MESSAGES'] ?? 100_000);
const ROUNDS = Number(process.env['MM_BENCH_ROUNDS'] ?? 2);
/** Also `ssh source tar c | ssh node tar x` (the manager's two hops), once: a minute more. */
const TWO_HOP = process.env['MM_BENCH_TWO_HOP'] === '1';
/** The cipher ssh2 negotiates first (AES-NI): scp with it is the like-for-like baseline. */
const MANAGER_CIPHER = 'aes128-gcm@openssh.com';
/** Which parts run: `site`, `mail` or both (comparing two variants of one part takes half the time). */
/** The processes whose waits are sampled (proc-state.ts): the agent and both tars. */
const STAGES: ReadonlySet<string> = new Set(['perl', 'tar']);
const PARTS = new Set((process.env['MM_BENCH_PARTS'] ?? 'site,mail').split(','));
/**
 * How many `tar -x` lanes on the node each of the manager's transfers is timed with (unpack.ts),
 * e.g. MM_BENCH_LANES=1,2,3. The goals are judged on what the manager uses by default
 * (lanesFor in transfer.ts); the other counts are printed beside it.
 */
const LANES = (process.env['MM_BENCH_LANES'] ?? '1,2,3').split(',').map((n) => {
  const v = Number(n);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`MM_BENCH_LANES: "${n}" is not a whole number ≥ 1 (e.g. MM_BENCH_LANES=1,2,3)`);
  return v;
});

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-content-'));
const root = join(dir, 'layout');
buildDemoLayout(root);
// The 512 MB file and the Maildir are made once and kept under test-output/bench-cache/ (keyed
// by what they hold), then linked or moved into the layout: writing 100,000 files took longer
// than moving them.
const cache = fileURLToPath(new URL('../../test-output/bench-cache/', import.meta.url));
await mkdir(cache, { recursive: true });
const bigPath = join(root, 'home/acme/web', DOMAIN, 'public_html/big.bin');
const bigCached = join(cache, `site-${SITE_BYTES}.bin`);
if (!existsSync(bigCached)) {
  const big = await open(`${bigCached}.tmp`, 'w');
  for (let done = 0; done < SITE_BYTES; done += MB) await big.write(randomBytes(MB));
  await big.close();
  await rename(`${bigCached}.tmp`, bigCached);
}
await link(bigCached, bigPath).catch(() => copyFile(bigCached, bigPath));

// The Maildir: small messages (0.5–4.5 KB of text) in cur/, new/ and a folder, Maildir-named.
const maildir = join(root, 'var/mail/vhosts', MAIL_DOMAIN, 'ann');
const mailCached = join(cache, `maildir-${MESSAGES}-v1`);
const folders = ['cur', 'new', '.Archive/cur'];
const message = (i: number, text: string): { path: string; body: string } => ({
  path: join(
    folders[i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0]!,
    `17170${String(i).padStart(5, '0')}.M${i}P1.bench:2,S`,
  ),
  body: `From: bench@example.test\nSubject: message ${i}\n\n${text.slice(0, 512 + ((i * 7919) % 4096))}\n`,
});
if (!existsSync(mailCached)) {
  const building = `${mailCached}.tmp`;
  await rm(building, { recursive: true, force: true });
  for (const f of folders) await mkdir(join(building, f), { recursive: true });
  const text = randomBytes(6 * 1024).toString('base64');
  // 64 writes in flight: the disk, not one await after another, sets the pace.
  for (let i = 0; i < MESSAGES; i += 64) {
    const batch = [];
    for (let k = i; k < Math.min(MESSAGES, i + 64); k++) {
      const m = message(k, text);
      batch.push(writeFile(join(building, m.path), m.body));
    }
    await Promise.all(batch);
  }
  await rename(building, mailCached);
}
// The demo's own few messages of that mailbox make way for the bench's.
await rm(maildir, { recursive: true, force: true });
await mkdir(dirname(maildir), { recursive: true });
await rename(mailCached, maildir);
/** Bytes of the messages (what both sides move, headers and directories aside). */
const mailBytes = (
  await run('find', [maildir, '-type', 'f', '-printf', '%s\\n'], { maxBuffer: 64 * MB })
).stdout
  .split('\n')
  .reduce((sum, n) => sum + (n === '' ? 0 : Number(n)), 0);

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
  // What the previous run left to write back (100,000 files made or removed) is written out
  // first, outside the timing: else it lands on whichever run comes next.
  await run('sync', []);
  const t = performance.now();
  await once();
  m.ms.push(performance.now() - t);
}

const [source, node] = await Promise.all([startSshd(), startSshd()]);
// One identity for both ends, so `scp -3` (one -i for both hosts) reaches both.
await appendFile(join(node.dir, 'authorized_keys'), await readFile(`${source.clientKeyPath}.pub`));
const nodeRoot = join(dir, 'node');
try {
  await mkdir(join(nodeRoot, 'scp'), { recursive: true });
  const [src, dst] = await Promise.all([connectTo(source), connectTo(node)]);
  const agent = new AgentCommunicator(src, {
    agent: 'linux',
    local: false,
    root,
    agentPath: join(source.dir, 'mm-agents'),
    apiVersion: 2,
  });
  await agent.ensureDeployed();
  const moveContent = (contentId: string, domain: string, place: ContentPlace, lanes: number) =>
    transferContent({
      contentId,
      lanes,
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
  const laneName = (n: number): string => (n === 1 ? '1 tar -x' : `${n} tar -x lanes`);
  const sites = new Map(
    LANES.map((n) => [n, measure(`content: source sshd → manager → node (${laneName(n)})`, SITE_BYTES)]),
  );
  const tarSsh = measure('tar c | ssh node tar x (Maildir)', mailBytes);
  const tarSsh2 = measure('ssh source tar c | ssh node tar x (Maildir, round 1)', mailBytes);
  const mailboxes = new Map(
    LANES.map((n) => [n, measure(`content: Maildir source → manager → node (${laneName(n)})`, mailBytes)]),
  );
  // The goals' figures: the lane count the manager uses by default (the first timed one if that is not timed).
  const pick = (m: Map<number, Measured>, n: number): Measured =>
    m.get(n) ?? (m.values().next().value as Measured);
  const site = pick(sites, lanesFor(`site:${DOMAIN}`));
  const mailbox = pick(mailboxes, lanesFor(`mailbox:${MAILBOX}`));
  // CPU of each side (the source sshd and what it runs, this process and its children, the
  // node's sshd and what it runs), summed over the rounds: on 2 cores, the pipeline's total
  // CPU is what sets its pace.
  const trees = new Map<string, number | 'self'>([
    ['source', source.pid],
    ['manager', 'self'],
    ['node', node.pid],
  ]);
  const cpu = new Map<string, CpuSpan[]>();
  // The manager's collections during each measurement: its CPU per GB depends on them (gc-spans.ts).
  const gc = new GcSpans();
  // Where the Maildir's stages wait (the agent's perl, this machine's and the node's tar): the
  // one running while the stage before it has its output backed up sets the pace.
  const waits = new Map<string, StateCounts>();
  const stageTrees = new Map([
    ['source', source.pid],
    ['manager', process.pid],
    ['node', node.pid],
  ]);
  /**
   * The samplers run in this process, so their CPU counts as the manager's and takes a core's
   * share from the pipeline: at 100 ms for the CPU split and 50 ms for the waits they cost the
   * site transfer 0.3–0.5 s/GB of "manager" CPU (the same driver with and without them, run
   * after run: 2.41–2.68 against 2.15–2.22 s/GB, 2026-12-01, load 20–24). The waits are sampled
   * only where they are printed (the Maildir) and the site's split once a second (a process born
   * between samples is counted whole, proc-cpu.ts); the totals are read before and after either way.
   */
  const timeWithCpu = async (
    m: Measured,
    once: () => Promise<unknown>,
    sampling: 'waits' | 'cpu only' = 'waits',
  ): Promise<void> => {
    const counts: StateCounts = waits.get(m.what) ?? new Map();
    if (sampling === 'waits') waits.set(m.what, counts);
    const timed = (): Promise<void> => timeInto(m, once);
    const span = await cpuDuring(
      trees,
      () =>
        gc.during(m.what, () =>
          sampling === 'waits' ? statesDuring(stageTrees, STAGES, counts, timed) : timed(),
        ),
      sampling === 'waits' ? 100 : 1000,
    );
    cpu.set(m.what, [...(cpu.get(m.what) ?? []), span]);
  };
  /** The manager's mark-compacts per GB moved in a measurement, with the heap they start from. */
  const gcLine = (m: Measured): string => {
    const c = gc.count(m.what);
    const gb = (m.bytes * m.ms.length) / 1024 ** 3;
    return `  manager GC, ${m.what}: ${(c.majors / gb).toFixed(0)} mark-compacts per GB (${(c.majorMs / gb).toFixed(0)} ms of pauses per GB), ${(c.minors / gb).toFixed(0)} scavenges per GB; heap ${gc.heapAtStartMb.toFixed(0)} MB at the start`;
  };
  let sitePeak = 0;
  let mailPeak = 0;
  const loads: number[] = [];
  const tarTo = join(nodeRoot, 'tar');
  /**
   * A Maildir a timed run made is moved aside, not removed, until the bench ends: on an ext4
   * without a journal (this machine's) the inode allocator skips every inode freed in the last
   * 5 s (300 s while its inode-table block is dirty), reading that block for each one
   * (recently_deleted(): about 70 % of a tar -x's perf samples), so the run right after removing
   * 100,000 files took twice the system CPU (14.4 s against 6.0 s extracting the same tarball
   * locally) and every Maildir run of the manager's came after such a removal.
   */
  let asideCount = 0;
  const setAside = async (path: string): Promise<void> => {
    await mkdir(join(dir, 'aside'), { recursive: true });
    await rename(path, join(dir, 'aside', String(asideCount++)));
  };
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadavg()[0]!);
    if (PARTS.has('site')) {
      // The baselines interleaved with the manager's transfers, each just before its own.
      await timeInto(scpDefault, () =>
        run('scp', [...sshArgs(node), '-P', String(node.port), bigPath, `${node.user}@127.0.0.1:${scpTo}`]),
      );
      await timeWithCpu(
        scpGcm,
        () =>
          run('scp', [
            ...sshArgs(node, MANAGER_CIPHER),
            '-P',
            String(node.port),
            bigPath,
            `${node.user}@127.0.0.1:${scpTo}`,
          ]),
        'cpu only',
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
      // Each lane count in turn, starting from another one each round.
      for (let k = 0; k < LANES.length; k++) {
        const lanes = LANES[(k + round) % LANES.length] as number;
        const sitePlaceNow = sitePlace(join(nodeRoot, 'vhosts'), round + 1, '', `site:${DOMAIN}`);
        await timeWithCpu(
          sites.get(lanes) as Measured,
          () => moveContent(`site:${DOMAIN}`, DOMAIN, sitePlaceNow, lanes),
          'cpu only',
        );
        await rm(join(nodeRoot, 'vhosts'), { recursive: true, force: true });
      }
      clearInterval(sampler);
      sitePeak = Math.max(sitePeak, peak - idle);
    }
    if (!PARTS.has('mail')) continue;

    const baseline = async (): Promise<void> => {
      await mkdir(tarTo, { recursive: true });
      await timeWithCpu(tarSsh, () =>
        run('sh', ['-c', `tar -cf - -C ${q(maildir)} . | ${sshTo(node)} tar -xf - -C ${q(tarTo)}`]),
      );
      await setAside(tarTo);
    };
    const ours = async (): Promise<void> => {
      global.gc?.();
      const mailIdle = process.memoryUsage().rss;
      let mailMax = mailIdle;
      const mailSampler = setInterval(() => (mailMax = Math.max(mailMax, process.memoryUsage().rss)), 20);
      const boxPlace = mailboxPlace(join(nodeRoot, 'mail'), MAILBOX, `mailbox:${MAILBOX}`);
      for (let k = 0; k < LANES.length; k++) {
        const lanes = LANES[(k + round) % LANES.length] as number;
        let files = 0;
        await timeWithCpu(mailboxes.get(lanes) as Measured, async () => {
          files = (await moveContent(`mailbox:${MAILBOX}`, MAIL_DOMAIN, boxPlace, lanes)).files;
        });
        if (files < MESSAGES) throw new Error(`the Maildir arrived with ${files} files (${laneName(lanes)})`);
        await setAside(join(nodeRoot, 'mail'));
      }
      clearInterval(mailSampler);
      mailPeak = Math.max(mailPeak, mailMax - mailIdle);
    };
    // Which goes first alternates: the one after removing 100,000 files (the disk's journal
    // still busy) is not always the same.
    if (round % 2 === 0) {
      await baseline();
      await ours();
    } else {
      await ours();
      await baseline();
    }
    if (round === 0 && TWO_HOP) {
      // The same two hops as the manager's, once: a comparison, not the goal's baseline.
      await mkdir(tarTo, { recursive: true });
      await timeInto(tarSsh2, () =>
        run('sh', [
          '-c',
          `${sshTo(source)} tar -cf - -C ${q(maildir)} . | ${sshTo(node)} tar -xf - -C ${q(tarTo)}`,
        ]),
      );
      await setAside(tarTo);
    }
  }
  await src.close();
  await dst.close();
  // The last entries arrive a tick after their collection.
  await new Promise((resolve) => setImmediate(resolve));
  gc.stop();

  /** CPU seconds per GB of each side and its processes, summed over the rounds. */
  const cpuLine = (m: Measured): string => {
    const spans = cpu.get(m.what) ?? [];
    const sum: CpuSpan = { total: new Map(), byName: new Map() };
    for (const span of spans) {
      for (const [k, v] of span.total) sum.total.set(k, (sum.total.get(k) ?? 0) + v);
      for (const [k, v] of span.byName) sum.byName.set(k, (sum.byName.get(k) ?? 0) + v);
    }
    const all = [...sum.total.values()].reduce((a, b) => a + b, 0);
    const gb = (m.bytes * spans.length) / 1024 ** 3;
    return `  CPU, ${m.what}: ${(all / gb).toFixed(1)} s/GB in all = ${perGb(sum, m.bytes * spans.length)}`;
  };

  console.log(
    `${ROUNDS} rounds; load average at each round's start: ${loads.map((l) => l.toFixed(1)).join(', ')} (2 cores)`,
  );
  if (PARTS.has('site')) {
    for (const m of [scpDefault, scpGcm, scp3, ...sites.values()]) console.log(line(m));
    // The baseline is the faster scp: OpenSSH's default cipher or the manager's.
    const scpBest = Math.max(rate(scpDefault), rate(scpGcm));
    const siteShare = rate(site) / scpBest;
    console.log(
      `content throughput / scp: ${(siteShare * 100).toFixed(0)} % ${goal('content throughput', '≥ 90 % of scp', siteShare >= 0.9)}` +
        ` (/ scp -3, the same two hops: ${((rate(site) / rate(scp3)) * 100).toFixed(0)} %)`,
    );
    for (const [n, m] of sites)
      console.log(`  site with ${laneName(n)} / scp: ${((rate(m) / scpBest) * 100).toFixed(0)} %`);
    for (const m of [scpGcm, ...sites.values()]) console.log(cpuLine(m));
    for (const m of sites.values()) console.log(gcLine(m));
  }
  if (PARTS.has('mail')) {
    for (const m of TWO_HOP ? [tarSsh, tarSsh2, ...mailboxes.values()] : [tarSsh, ...mailboxes.values()])
      console.log(line(m));
    const mailShare = rate(mailbox) / rate(tarSsh);
    console.log(
      `Maildir of ${MESSAGES} messages / tar c | ssh tar x: ${(mailShare * 100).toFixed(0)} % ${goal('Maildir throughput', '≥ 90 % of tar c | ssh tar x', mailShare >= 0.9)}` +
        (TWO_HOP ? ` (/ the same two hops: ${((rate(mailbox) / rate(tarSsh2)) * 100).toFixed(0)} %)` : ''),
    );
    for (const [n, m] of mailboxes)
      console.log(
        `  Maildir with ${laneName(n)} / tar c | ssh tar x: ${((rate(m) / rate(tarSsh)) * 100).toFixed(0)} %`,
      );
    for (const m of [tarSsh, ...mailboxes.values()]) console.log(cpuLine(m));
    for (const m of [tarSsh, ...mailboxes.values()])
      console.log(`  waits, ${m.what}: ${stateLine(waits.get(m.what) ?? new Map())}`);
  }
  const above = sitePeak / MB;
  if (PARTS.has('site'))
    console.log(
      `manager peak RSS during the 512 MB transfer: ${above.toFixed(0)} MB above idle ${goal('content memory', '< 64 MB above idle', above < 64)}` +
        ` (Maildir: ${(mailPeak / MB).toFixed(0)} MB)`,
    );
} finally {
  await source.stop();
  await node.stop();
  // The Maildir goes back to the cache for the next run.
  await rename(maildir, mailCached).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
reportGoals();
