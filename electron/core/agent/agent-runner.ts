/**
 * What the rest of the core needs from an agent on a source server, whatever carries the
 * commands: `AgentCommunicator` over a command transport (SSH, local), `SoapAgentCommunicator`
 * over SOAP/HTTP(S) to `perl agent.pl --serve`. Same arguments, same output files, same errors.
 */
import type { AgentStatus } from '../../../shared/model/server';
import type { Writable } from 'node:stream';
import type { TransferProgress } from './transport';

export type AgentOutput = 'xml' | 'tar';

export interface AgentRunOptions {
  readonly signal?: AbortSignal;
  /** Bytes fetched so far and in all; the total is 0 when not known ahead (a tarball streamed as it is made). */
  readonly onProgress?: TransferProgress;
  readonly timeoutMs?: number;
}

export interface AgentRunner {
  /** A short description for messages: "ssh root@10.0.0.5:22", "local", "soap https://…". */
  readonly label: string;
  /** The installed agent's version against the manager's own. */
  status(): Promise<AgentStatus>;
  /** Brings the agent up to the manager's version where the transport can; true when it did. */
  ensureDeployed(onProgress?: TransferProgress): Promise<boolean>;
  /**
   * Runs one agent command (`--extract=…` / `--disable=…` and its options, without --file)
   * and leaves its document or tarball in `localFile`; fails with the agent's own message.
   */
  run(
    args: readonly string[],
    output: AgentOutput,
    localFile: string,
    options?: AgentRunOptions,
  ): Promise<void>;
  /**
   * Runs one agent command whose output is a stream (`--extract=domainContent`) with stdout
   * flowing into `out` as the agent makes it: nothing is kept on either disk. Transports that
   * cannot stream leave it out.
   */
  stream?(args: readonly string[], out: Writable, options?: AgentRunOptions): Promise<void>;
  /** The Perl version that runs the agent ("5.036000" or "5.36.0"), undefined when there is none. */
  perlVersion(): Promise<string | undefined>;
}
