/**
 * Content throughput for the same bytes, the same agent and the same tarball: the linux agent's
 * domainContent of a site holding a 256 MB file, fetched to a local file
 * - over SOAP/HTTP and SOAP/HTTPS (`agent.pl --serve` on loopback, chunked body),
 * - over SSH (a real sshd on loopback, the agent's --file then SFTP),
 * against the agent writing the same tarball to a local file with no transport (the baseline
 * measured in this run). Goal: SOAP/HTTP takes at most 1.5x the SSH time for the same bytes.
 * Needs root for the sshd (as the SSH tests do); IO::Socket::SSL for the HTTPS line.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildDemoLayout } from '../../agents/demo/build-demo-layout.mjs';
import { createCore } from '../../electron/core/core';
import { AGENTS_DIR } from '../../electron/core/paths';
import { sshdSource, startSshd } from '../../test/helpers/sshd';
import { makeCertificate, serveAgent } from '../../test/soap/served-agent';
import { goal, reportGoals } from './goals';

const run = promisify(execFile);
const DOMAIN = 'acme-widgets.example';
const SIZE = 256 * 1024 * 1024;
const ARGS = ['--extract=domainContent', `--domain-id=${DOMAIN}`, `--content-id=site:${DOMAIN}`];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'mm-bench-content-'));
const root = join(dir, 'layout');
buildDemoLayout(root);
const big = await open(join(root, 'home/acme/web', DOMAIN, 'public_html/big.bin'), 'w');
for (let done = 0; done < SIZE; done += 1024 * 1024) await big.write(randomBytes(1024 * 1024));
await big.close();

const out = join(dir, 'out.tar');
async function timed(fetch: () => Promise<void>): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 3; i++) {
    await rm(out, { force: true });
    const t = performance.now();
    await fetch();
    times.push(performance.now() - t);
    bytes = (await stat(out)).size;
  }
  return { ms: median(times), bytes };
}
const line = (what: string, r: { ms: number; bytes: number }, base: number): string =>
  `${what.padEnd(34)} ${(r.bytes / 1048576).toFixed(0)} MB in ${r.ms.toFixed(0)} ms = ${(r.bytes / 1048576 / (r.ms / 1000)).toFixed(0)} MB/s (${(r.ms / base).toFixed(2)}x the baseline)`;

const baseline = await timed(async () => {
  await run('perl', [join(AGENTS_DIR, 'linux', 'agent.pl'), `--root=${root}`, ...ARGS, `--file=${out}`]);
});
console.log(line('baseline: agent to a local file', baseline, baseline.ms));

const core = createCore({ dataDir: join(dir, 'data'), shell: 'cli' });
const projectId = (await core.projects.create('Bench')).id;

const plain = await serveAgent('linux', { root });
const tls = await serveAgent('linux', { root, tls: await makeCertificate() });
const sshd = await startSshd();
try {
  await core.servers.add(projectId, {
    name: 'soap',
    kind: 'linux',
    connection: { type: 'soap', url: plain.url },
    credentials: { token: plain.token },
  });
  await core.servers.add(projectId, {
    name: 'soaps',
    kind: 'linux',
    connection: { type: 'soap', url: tls.url, tlsFingerprint: tls.fingerprint! },
    credentials: { token: tls.token },
  });
  await core.servers.add(projectId, {
    name: 'ssh',
    kind: 'linux',
    ...sshdSource(sshd),
    agentPath: join(sshd.dir, 'agents'),
    sourceRoot: root,
  });
  const over = async (server: string) => {
    const opened = await core.servers.open(projectId, server);
    try {
      await opened.agent.ensureDeployed();
      return await timed(() => opened.agent.run(ARGS, 'tar', out));
    } finally {
      await opened.close();
    }
  };
  const ssh = await over('ssh');
  console.log(line('SSH (agent --file, then SFTP)', ssh, baseline.ms));
  const soap = await over('soap');
  console.log(line('SOAP/HTTP (chunked body)', soap, baseline.ms));
  const soaps = await over('soaps');
  console.log(line('SOAP/HTTPS (chunked body, pinned)', soaps, baseline.ms));
  const ratio = soap.ms / ssh.ms;
  console.log(
    `SOAP/HTTP / SSH time: ${ratio.toFixed(2)}x ${goal('SOAP/HTTP content time', '≤ 1.5x SSH', ratio <= 1.5)}`,
  );
} finally {
  await plain.kill();
  await tls.kill();
  await sshd.stop();
  await rm(dir, { recursive: true, force: true });
}
reportGoals();
