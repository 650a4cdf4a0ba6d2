/**
 * The Agent Communicator (seed ch. 4): deploys the agent package to the source server when it
 * is missing or older than the manager's, runs `perl agent.pl --extract=…` with every argument
 * quoted, collects exit code and stderr, fetches the produced file (streamed), and removes its
 * remote temporary files.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { packAgent } from '../../../agents/pack.mjs';
import type { AgentStatus } from '../../../shared/model/server';
import { MmError } from '../errors';
import { AGENTS_DIR } from '../paths';
import type { AgentOutput, AgentRunOptions, AgentRunner } from './agent-runner';
import type { ExecResult, Transport, TransferProgress } from './transport';

export interface AgentLocation {
  /** The agent's name: linux, ensim, hsphere, description. */
  readonly agent: string;
  /** Local servers run the agent from the manager's own agents/ folder, not a deployed copy. */
  readonly local: boolean;
  /** The agent's --root: where the source system's files are (default /). */
  readonly root?: string;
  /** SSH servers: the folder under which agents are deployed. */
  readonly agentPath: string;
  readonly apiVersion: 1 | 2;
}

export type { AgentStatus, AgentOutput };

/** Reads `<version>` from an agent.manifest text. */
export function manifestVersion(manifest: string): string | undefined {
  return /<version>\s*([0-9]+\.[0-9]+\.[0-9]+)\s*<\/version>/.exec(manifest)?.[1];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export async function bundledAgentVersion(agent: string): Promise<string> {
  const text = await readFile(join(AGENTS_DIR, agent, 'agent.manifest'), 'utf8').catch(() => {
    throw new MmError('agent-unknown', `The manager has no agent named "${agent}".`, agent);
  });
  const version = manifestVersion(text);
  if (!version)
    throw new MmError('agent-manifest-invalid', `agents/${agent}/agent.manifest has no version.`, agent);
  return version;
}

export class AgentCommunicator implements AgentRunner {
  constructor(
    private readonly transport: Transport,
    private readonly location: AgentLocation,
  ) {}

  get label(): string {
    return this.transport.label;
  }

  async perlVersion(): Promise<string | undefined> {
    const perl = await this.transport.exec(['perl', '-e', 'print "$]"'], { timeoutMs: 30_000 });
    return perl.code === 0 ? perl.stdout.trim() : undefined;
  }

  private get remoteDir(): string {
    return `${this.location.agentPath.replace(/\/+$/, '')}/${this.location.agent}`;
  }

  private get script(): string {
    return this.location.local
      ? join(AGENTS_DIR, this.location.agent, 'agent.pl')
      : `${this.remoteDir}/agent.pl`;
  }

  async status(): Promise<AgentStatus> {
    const bundledVersion = await bundledAgentVersion(this.location.agent);
    if (this.location.local) return { bundledVersion, installedVersion: bundledVersion, upToDate: true };
    const r = await this.transport.exec(['cat', `${this.remoteDir}/agent.manifest`], { timeoutMs: 30_000 });
    const installedVersion = r.code === 0 ? manifestVersion(r.stdout) : undefined;
    return {
      bundledVersion,
      ...(installedVersion ? { installedVersion } : {}),
      upToDate: installedVersion !== undefined && compareVersions(installedVersion, bundledVersion) >= 0,
    };
  }

  /** Deploys the agent package when the server has none or an older one. Returns whether it deployed. */
  async ensureDeployed(onProgress?: TransferProgress): Promise<boolean> {
    const current = await this.status();
    if (current.upToDate) return false;
    const work = await mkdtemp(join(tmpdir(), 'mm-pack-'));
    try {
      const packed = packAgent(this.location.agent, work);
      const upload = `${this.location.agentPath.replace(/\/+$/, '')}/.mm-${this.location.agent}-${Date.now()}.tar`;
      const mk = await this.transport.exec(['mkdir', '-p', this.remoteDir]);
      if (mk.code !== 0) {
        throw new MmError(
          'agent-deploy-failed',
          `Cannot create ${this.remoteDir} on ${this.transport.label}: ${firstLine(mk.stderr)}`,
          this.remoteDir,
        );
      }
      await this.transport.upload(packed.tarPath, upload, onProgress);
      const unpack = await this.transport.exec(['tar', '-xf', upload, '-C', this.remoteDir]);
      await this.transport.exec(['rm', '-f', upload]);
      if (unpack.code !== 0) {
        throw new MmError(
          'agent-deploy-failed',
          `Unpacking the agent on ${this.transport.label} failed: ${firstLine(unpack.stderr)}`,
          this.remoteDir,
        );
      }
      const check = await this.transport.exec(['perl', this.script, '--version']);
      if (check.code !== 0) {
        throw new MmError(
          'agent-not-runnable',
          `The agent was deployed to ${this.remoteDir} but does not run there: ${firstLine(check.stderr) || `exit ${check.code}`}. Is Perl 5 installed?`,
          this.remoteDir,
        );
      }
      return true;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Runs the agent with the given options (`--extract=…` and its arguments, without --file) and
   * fetches its output file to `localFile`. Fails with the agent's own one-line message.
   */
  async run(
    args: readonly string[],
    output: AgentOutput,
    localFile: string,
    options: AgentRunOptions = {},
  ): Promise<void> {
    const local = this.location.local;
    const dir = local ? await mkdtemp(join(tmpdir(), 'mm-agent-')) : await this.remoteTempDir();
    const base = `${dir}/out`;
    const argv = [
      'perl',
      this.script,
      ...args,
      `--api-version=${this.location.apiVersion}`,
      ...(this.location.root ? [`--root=${this.location.root}`] : []),
      `--file=${base}`,
    ];
    try {
      const result = await this.transport.exec(argv, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (result.code !== 0) {
        const message = firstLine(result.stderr) || endedWithout(result);
        throw new MmError(
          'agent-failed',
          `The ${this.location.agent} agent on ${this.transport.label} failed (exit ${result.code}): ${message}`,
          args.join(' '),
        );
      }
      await this.transport.download(`${base}.${output}`, localFile, options.onProgress, options.signal);
    } finally {
      if (local) await rm(dir, { recursive: true, force: true });
      else await this.transport.exec(['rm', '-rf', dir]).catch(() => undefined);
    }
  }

  /** The agent's stdout straight into `out` (no --file): a content tarball, streamed. */
  async stream(args: readonly string[], out: Writable, options: AgentRunOptions = {}): Promise<void> {
    const argv = [
      'perl',
      this.script,
      ...args,
      `--api-version=${this.location.apiVersion}`,
      ...(this.location.root ? [`--root=${this.location.root}`] : []),
    ];
    const result = await this.transport.exec(argv, {
      stdout: out,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
    if (result.code !== 0) {
      const message = firstLine(result.stderr) || endedWithout(result);
      throw new MmError(
        'agent-failed',
        `The ${this.location.agent} agent on ${this.transport.label} failed (exit ${result.code}): ${message}`,
        args.join(' '),
      );
    }
  }

  /** The runs' scratch folder: under the agent path (known writable, and the manager's own). */
  private get runsDir(): string {
    return `${this.location.agentPath.replace(/\/+$/, '')}/.mm-runs`;
  }

  private async remoteTempDir(): Promise<string> {
    await this.transport.exec(['mkdir', '-p', '-m', '700', this.runsDir]);
    const r = await this.transport.exec(['mktemp', '-d', `${this.runsDir}/run.XXXXXXXX`]);
    const dir = r.stdout.trim();
    if (r.code !== 0 || !dir.startsWith(`${this.runsDir}/run.`)) {
      throw new MmError(
        'remote-temp-failed',
        `Cannot create a temporary folder on ${this.transport.label}: ${firstLine(r.stderr)}`,
      );
    }
    return dir;
  }
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** What to say of a command that printed no error: killed by a signal, or just its exit code. */
function endedWithout(result: ExecResult): string {
  return result.signal
    ? // ssh2 names it as OpenSSH sent it ("KILL") or with the prefix ("SIGKILL"): one prefix either way
      `it was stopped by signal SIG${result.signal.replace(/^SIG/, '')} before it finished (killed on the server?)`
    : `exit code ${result.code}, no message`;
}
