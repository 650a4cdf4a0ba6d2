/**
 * How the Agent Communicator reaches a source server: SSH for real servers, the local machine
 * for the built-in demo (and for agent output someone copied here). Commands are argv arrays,
 * never shell strings; the SSH transport quotes each argument itself.
 */
import type { Readable, Writable } from 'node:stream';

export interface ExecOptions {
  readonly signal?: AbortSignal;
  /** Kill the command when it runs longer than this. */
  readonly timeoutMs?: number;
  /** Where stdout goes; when absent it is collected (up to maxOutputBytes) and returned. */
  readonly stdout?: Writable;
  readonly maxOutputBytes?: number;
  /** What the command reads on stdin (streamed, with back-pressure); none: stdin is closed. */
  readonly stdin?: Readable;
}

export interface ExecResult {
  /** -1 when the command ended without an exit code (killed by a signal). */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the command ("KILL", "TERM"), when one did. */
  readonly signal?: string;
}

export interface TransferProgress {
  (bytesDone: number, bytesTotal: number): void;
}

export interface Transport {
  /** A short description for messages: "ssh root@10.0.0.5:22" or "local". */
  readonly label: string;
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** Copies a local file to the server (streamed). */
  upload(localPath: string, remotePath: string, onProgress?: TransferProgress): Promise<void>;
  /** Copies a file from the server to a local path (streamed, never whole in memory). */
  download(
    remotePath: string,
    localPath: string,
    onProgress?: TransferProgress,
    signal?: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 30 * 60 * 1000;
export const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
