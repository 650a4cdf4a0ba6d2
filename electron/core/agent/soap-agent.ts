/**
 * The Agent Communicator over SOAP/HTTP(S): the same commands, output files and errors as over
 * SSH, carried to `perl agent.pl --serve` on the source server (Version and Run operations; see
 * agents/README.md). Documents come back base64 in the envelope and are written byte for byte;
 * a content tarball streams as the chunked body (to disk, or straight on to a target node during a
 * migration), its outcome in the HTTP trailers.
 *
 * Deployment: an agent served over HTTP was installed and started by the engineer (agents/
 * README.md has the one-line recipe). When it is older than the manager's, the manager sends its
 * package (the same agent.tar as over SSH) with the Install operation, which an agent started
 * with --allow-update unpacks and restarts on; one started without it is refused with the recipe
 * rather than used.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { packAgent } from '../../../agents/pack.mjs';
import type { AgentStatus } from '../../../shared/model/server';
import { MmError } from '../errors';
import { DEFAULT_MAX_XML_BYTES } from '../inventory/xml-guard';
import { bundledAgentVersion, compareVersions } from './agent-communicator';
import type { AgentOutput, AgentRunOptions, AgentRunner } from './agent-runner';
import { type RunRequest, parseAnswer } from './soap-envelope';
import { type Exchange, type SoapEndpoint, exchange, readBody, soapLabel } from './soap-http';
import { DEFAULT_COMMAND_TIMEOUT_MS, type TransferProgress } from './transport';

export interface SoapAgentLocation {
  /** The agent the server kind needs: linux, ensim, hsphere, description. */
  readonly agent: string;
  readonly apiVersion: 1 | 2;
}

export interface AgentVersion {
  readonly agent: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly perl: string;
  readonly os: string;
  readonly tlsFingerprint?: string;
}

/** Base64 is 4/3 of the document, plus the envelope around it. */
const MAX_ENVELOPE_BYTES = Math.ceil((DEFAULT_MAX_XML_BYTES * 4) / 3) + 64 * 1024;
const MAX_FAULT_BYTES = 1024 * 1024;
const TEST_TIMEOUT_MS = 30_000;
const DEPLOY_TIMEOUT_MS = 60_000;

export class SoapAgentCommunicator implements AgentRunner {
  constructor(
    private readonly endpoint: SoapEndpoint,
    private readonly location: SoapAgentLocation,
  ) {}

  get label(): string {
    return soapLabel(this.endpoint.url);
  }

  private get where(): string {
    return this.endpoint.url;
  }

  /** The Version operation: which agent answers, and (HTTPS) the certificate it showed. */
  async version(signal?: AbortSignal): Promise<AgentVersion> {
    return exchange(
      this.endpoint,
      'Version',
      undefined,
      { timeoutMs: TEST_TIMEOUT_MS, what: 'The connection test', ...(signal ? { signal } : {}) },
      async (x) => {
        const answer = await this.envelope(x);
        const f = answer.fields;
        if (!f['agent'] || !f['version'])
          throw new MmError(
            'agent-bad-response',
            `The agent at ${this.where} did not say its name and version.`,
            this.where,
          );
        if (f['agent'] !== this.location.agent) {
          throw new MmError(
            'agent-mismatch',
            `The agent at ${this.where} is the ${f['agent']} agent; this server needs the ${this.location.agent} agent.`,
            this.where,
          );
        }
        return {
          agent: f['agent'],
          version: f['version'],
          apiVersion: f['apiVersion'] ?? '',
          perl: f['perl'] ?? '',
          os: f['os'] ?? '',
          ...(x.tlsFingerprint ? { tlsFingerprint: x.tlsFingerprint } : {}),
        };
      },
    );
  }

  async status(): Promise<AgentStatus> {
    const bundledVersion = await bundledAgentVersion(this.location.agent);
    const installedVersion = (await this.version()).version;
    return {
      bundledVersion,
      installedVersion,
      upToDate: compareVersions(installedVersion, bundledVersion) >= 0,
    };
  }

  async perlVersion(): Promise<string | undefined> {
    return (await this.version()).perl || undefined;
  }

  async ensureDeployed(onProgress?: TransferProgress): Promise<boolean> {
    const s = await this.status();
    if (s.upToDate) return false;
    const work = await mkdtemp(join(tmpdir(), 'mm-pack-'));
    try {
      const pkg = await readFile(packAgent(this.location.agent, work).tarPath);
      onProgress?.(0, pkg.length);
      await exchange(
        this.endpoint,
        'Install',
        { package: pkg },
        { timeoutMs: DEPLOY_TIMEOUT_MS },
        async (x) => {
          await this.envelope(x, MAX_FAULT_BYTES, 'Install');
        },
      ).catch((e: unknown) => {
        if (e instanceof MmError && e.code === 'agent-refused' && /--allow-update/.test(e.message)) {
          throw new MmError(
            'agent-outdated',
            `The ${this.location.agent} agent served at ${this.where} is version ${s.installedVersion ?? '?'}, older than the manager's ${s.bundledVersion}, and it was started without --allow-update, so the manager cannot replace it. Install the new one on the server and restart it (agents/README.md, "Serving over SOAP/HTTP").`,
            this.where,
          );
        }
        if (e instanceof MmError && (e.code === 'agent-refused' || e.code === 'agent-failed'))
          throw new MmError(
            'agent-deploy-failed',
            `Deploying the agent to ${this.where} failed: ${e.message}`,
            this.where,
          );
        throw e;
      });
      onProgress?.(pkg.length, pkg.length);
      // The agent restarts on its new code: wait until that one answers.
      const deadline = Date.now() + DEPLOY_TIMEOUT_MS;
      for (;;) {
        const now = await this.version().catch((e: unknown) => {
          if (Date.now() > deadline) throw e;
          return undefined;
        });
        if (now && compareVersions(now.version, s.bundledVersion) >= 0) return true;
        if (Date.now() > deadline) {
          throw new MmError(
            'agent-deploy-failed',
            `The agent at ${this.where} took the package but still answers as version ${now?.version ?? '?'}.`,
            this.where,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async run(
    args: readonly string[],
    output: AgentOutput,
    localFile: string,
    options: AgentRunOptions = {},
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const request = this.runRequest(args, timeoutMs);
    const what = args.join(' ');
    try {
      await exchange(
        this.endpoint,
        'Run',
        request,
        { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
        async (x) => {
          const type = String(x.response.headers['content-type'] ?? '');
          if (x.response.statusCode === 200 && type.startsWith('application/x-tar')) {
            if (output !== 'tar') throw this.badAnswer('a tarball where a document was expected');
            return this.pipeTarball(x, createWriteStream(localFile), what, options);
          }
          const answer = await this.envelope(
            x,
            output === 'xml' ? MAX_ENVELOPE_BYTES : MAX_FAULT_BYTES,
            what,
          );
          if (output !== 'xml' || !answer.document)
            throw this.badAnswer(
              output === 'xml' ? 'a result without its document' : 'a document where a tarball was expected',
            );
          options.onProgress?.(answer.document.length, answer.document.length);
          await writeFile(localFile, answer.document);
        },
      );
    } catch (e) {
      // Nothing half-written is left where the caller looks for the result.
      await rm(localFile, { force: true });
      throw e;
    }
  }

  /**
   * The agent's tarball straight into `out` (a content transfer): the chunked body is piped on as
   * it arrives, so nothing is held whole; the trailers say whether the agent finished it.
   */
  async stream(args: readonly string[], out: Writable, options: AgentRunOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const what = args.join(' ');
    await exchange(
      this.endpoint,
      'Run',
      this.runRequest(args, timeoutMs),
      { timeoutMs, ...(options.signal ? { signal: options.signal } : {}) },
      async (x) => {
        const type = String(x.response.headers['content-type'] ?? '');
        if (x.response.statusCode === 200 && type.startsWith('application/x-tar'))
          return this.pipeTarball(x, out, what, options);
        await this.envelope(x, MAX_FAULT_BYTES, what); // a fault becomes the agent's error
        throw this.badAnswer('a document where a tarball was expected');
      },
    );
  }

  private runRequest(args: readonly string[], timeoutMs: number): RunRequest {
    return {
      options: [...args.map((a) => splitOption(a)), ['api-version', String(this.location.apiVersion)]],
      // The agent gives up a little after the manager, so the manager's own timeout is the one reported.
      timeoutSeconds: Math.ceil(timeoutMs / 1000) + 5,
    };
  }

  private badAnswer(what: string): MmError {
    return new MmError('agent-bad-response', `The agent at ${this.where} answered ${what}.`, this.where);
  }

  private failed(exit: number, message: string, what: string): MmError {
    return new MmError(
      'agent-failed',
      `The ${this.location.agent} agent on ${this.label} failed (exit ${exit}): ${message.replace(/^agent\.pl: error: /, '') || 'no message'}`,
      what,
    );
  }

  /** Reads an envelope answer; a fault becomes the error an SSH run would give. */
  private async envelope(x: Exchange, limit = MAX_FAULT_BYTES, what = 'Version') {
    const status = x.response.statusCode ?? 0;
    const type = String(x.response.headers['content-type'] ?? '');
    const bytes = await readBody(x.response, limit, this.where);
    if (!/^(text|application)\/(soap\+)?xml/.test(type))
      throw this.badAnswer(`HTTP ${status} with ${type || 'no content type'}, not a SOAP envelope`);
    const answer = parseAnswer(bytes.toString('utf8'), this.where);
    if (answer.kind === 'fault') {
      const f = answer.fault;
      if (status === 401)
        throw new MmError(
          'agent-unauthorized',
          `The agent at ${this.where} refused the token: ${f.message}. Give the server the token the agent was started with.`,
          this.where,
        );
      if (f.exitCode !== undefined) throw this.failed(f.exitCode, f.message, what);
      throw new MmError(
        'agent-refused',
        `The agent at ${this.where} refused the request (${f.code}): ${f.message}`,
        this.where,
      );
    }
    if (status !== 200) throw this.badAnswer(`HTTP ${status} without a fault`);
    return answer;
  }

  /** Streams the chunked tarball into `sink`; the trailers say whether the agent finished it. */
  private async pipeTarball(
    x: Exchange,
    sink: Writable,
    what: string,
    options: AgentRunOptions,
  ): Promise<void> {
    let done = 0;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, next) {
        done += chunk.length;
        options.onProgress?.(done, 0);
        next(null, chunk);
      },
    });
    await pipeline(x.response, progress, sink);
    const exit = x.response.trailers['x-mm-exit'];
    if (exit === undefined)
      throw new MmError(
        'agent-connection-lost',
        `The tarball from ${this.where} ended without the agent's final status: the agent stopped mid-stream.`,
        this.where,
      );
    if (exit !== '0')
      throw this.failed(Number(exit), decodeTrailer(x.response.trailers['x-mm-error'] ?? ''), what);
  }
}

/** "--name=value" → [name, value]; the agent checks names and values as its command line does. */
function splitOption(arg: string): [string, string] {
  const m = /^--([a-z][a-z0-9-]*)=([\s\S]*)$/.exec(arg);
  if (!m) throw new MmError('invalid-input', `"${arg}" is not an --option=value agent argument.`, arg);
  return [m[1]!, m[2]!];
}

function decodeTrailer(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
