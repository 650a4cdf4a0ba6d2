/**
 * What POA and PBA calls share: the log line for every call and its result (secrets masked by
 * the log), the turning of transport failures into TargetCallErrors, and retries — only for
 * calls the caller marks as safe to repeat (look-ups), and only when the target did not answer.
 */
import type { LogLine } from '../../../shared/contract';
import type { DecodedResponse } from './xmlrpc-codec';
import { type Endpoint, type TransportOptions, DEFAULT_TRANSPORT, postXmlRpc } from './http-transport';
import { TargetCallError, type TargetSystem, TransportError } from './errors';

/** Where calls are recorded: a project's MigrationLog fits. */
export interface CallLog {
  write(level: LogLine['level'], message: string, details?: unknown): Promise<void>;
}

export interface ClientOptions extends Partial<TransportOptions> {
  /** Extra attempts for safe calls after a timeout or a lost connection. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  readonly log?: CallLog;
}

export interface CallSpec {
  readonly method: string;
  /** What the call is about, for messages: "account 1000001", "domain example.com". */
  readonly object: string;
  /** Safe to repeat: a look-up, or a getter. Creations are never repeated blindly. */
  readonly safe: boolean;
  /** The arguments as the log shows them: named, so the log's masking finds the secrets. */
  readonly logged: unknown;
}

export class CallRunner {
  constructor(
    readonly system: TargetSystem,
    readonly endpoint: Endpoint,
    private readonly options: ClientOptions = {},
  ) {}

  /** Sends the call; returns the decoded answer (a value or a fault) or throws a TargetCallError. */
  async send(spec: CallSpec, wireMethod: string, params: readonly unknown[]): Promise<DecodedResponse> {
    const transport: TransportOptions = {
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TRANSPORT.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes ?? DEFAULT_TRANSPORT.maxResponseBytes,
    };
    const attempts = spec.safe ? 1 + (this.options.retries ?? 2) : 1;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        return await postXmlRpc(this.endpoint, wireMethod, params, transport);
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        const error = new TargetCallError(e.code, this.system, spec.method, spec.object, e.message);
        const again = e.transient && attempt < attempts;
        await this.logFailure(spec, error, Date.now() - started, attempt, again);
        if (!again) throw error;
        await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 250) * attempt));
      }
    }
  }

  async logSuccess(spec: CallSpec, result: unknown, ms: number): Promise<void> {
    await this.options.log?.write('info', `${this.system} ${spec.method} ${spec.object}: ok`, {
      system: this.system,
      url: this.endpoint.url,
      method: spec.method,
      object: spec.object,
      params: spec.logged,
      result,
      ms,
    });
  }

  async logFailure(
    spec: CallSpec,
    error: TargetCallError,
    ms: number,
    attempt = 1,
    retrying = false,
  ): Promise<void> {
    await this.options.log?.write(
      retrying ? 'warn' : 'error',
      `${error.message}${retrying ? ' (retrying)' : ''}`,
      {
        system: this.system,
        url: this.endpoint.url,
        method: spec.method,
        object: spec.object,
        params: spec.logged,
        error: { code: error.code, message: error.targetMessage, faultCode: error.faultCode },
        attempt,
        ms,
      },
    );
  }
}
