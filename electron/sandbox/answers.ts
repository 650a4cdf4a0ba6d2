/**
 * The two kinds of "no" a target gives, as the sandbox raises them:
 * - a Fault: the call itself is malformed (missing, unknown or wrong-typed parameter, unknown
 *   method) — an XML-RPC fault on both POA and PBA;
 * - a Refusal: the call is well formed but the target will not do it (unknown account,
 *   duplicate domain, unknown service template) — POA answers `status -1` with
 *   `error_message`, `module_id` and `extype_id`; PBA (which has no status) a fault with a
 *   base64 fault string.
 */
import { POA_ERRORS, type PoaErrorName, type PoaErrorType } from '../core/target/poa-errors';

export class SandboxFault extends Error {
  constructor(
    readonly faultCode: number,
    message: string,
  ) {
    super(message);
  }
}

export class SandboxRefusal extends Error {
  readonly error: PoaErrorType;
  constructor(error: PoaErrorName, message: string) {
    super(message);
    this.error = POA_ERRORS[error];
  }
}

export const FAULT = {
  missingParameter: 1001,
  wrongType: 1002,
  invalidValue: 1003,
  unknownMethod: -32601,
  notXmlRpc: -32700,
} as const;

type Struct = Record<string, unknown>;

function isStruct(v: unknown): v is Struct {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date)
  );
}

/** Reads the one struct a POA method takes, faulting the way POA does on missing or wrong-typed members. */
export class Args {
  readonly #used = new Set<string>();
  readonly #children: Args[] = [];

  constructor(
    private readonly struct: Struct,
    private readonly where = '',
  ) {}

  /** After a handler read what it takes: a member it never read is one the real method does not know. */
  assertConsumed(ignore: readonly string[] = []): void {
    for (const key of Object.keys(this.struct)) {
      if (!this.#used.has(key) && !ignore.includes(key))
        throw new SandboxFault(FAULT.invalidValue, `Unknown parameter '${this.name(key)}'`);
    }
    for (const child of this.#children) child.assertConsumed();
  }

  #child(s: Struct, where: string): Args {
    const a = new Args(s, where);
    this.#children.push(a);
    return a;
  }

  static of(params: readonly unknown[], method: string): Args {
    if (params.length !== 1 || !isStruct(params[0])) {
      throw new SandboxFault(FAULT.wrongType, `${method} takes exactly one struct parameter`);
    }
    return new Args(params[0]);
  }

  private name(key: string): string {
    return `${this.where}${key}`;
  }

  has(key: string): boolean {
    this.#used.add(key);
    return this.struct[key] !== undefined && this.struct[key] !== null;
  }

  private required(key: string): unknown {
    this.#used.add(key);
    if (!this.has(key))
      throw new SandboxFault(FAULT.missingParameter, `Required parameter '${this.name(key)}' is missing`);
    return this.struct[key];
  }

  int(key: string): number {
    const v = this.required(key);
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      throw new SandboxFault(
        FAULT.wrongType,
        `Parameter '${this.name(key)}' must be an int, got ${describe(v)}`,
      );
    }
    return v;
  }
  optInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }
  str(key: string): string {
    const v = this.required(key);
    if (typeof v !== 'string') {
      throw new SandboxFault(
        FAULT.wrongType,
        `Parameter '${this.name(key)}' must be a string, got ${describe(v)}`,
      );
    }
    return v;
  }
  /** XML-RPC boolean, or 0/1 as some clients send it. */
  bool(key: string): boolean {
    const v = this.required(key);
    if (typeof v === 'boolean') return v;
    if (v === 0 || v === 1) return v === 1;
    throw new SandboxFault(
      FAULT.wrongType,
      `Parameter '${this.name(key)}' must be a boolean, got ${describe(v)}`,
    );
  }
  optBool(key: string): boolean | undefined {
    return this.has(key) ? this.bool(key) : undefined;
  }
  optStr(key: string): string | undefined {
    return this.has(key) ? this.str(key) : undefined;
  }
  base64(key: string): Buffer {
    const v = this.required(key);
    if (!Buffer.isBuffer(v))
      throw new SandboxFault(
        FAULT.wrongType,
        `Parameter '${this.name(key)}' must be base64, got ${describe(v)}`,
      );
    return v;
  }
  struct_(key: string): Args {
    const v = this.required(key);
    if (!isStruct(v))
      throw new SandboxFault(
        FAULT.wrongType,
        `Parameter '${this.name(key)}' must be a struct, got ${describe(v)}`,
      );
    return this.#child(v, `${this.name(key)}.`);
  }
  optStruct(key: string): Args | undefined {
    return this.has(key) ? this.struct_(key) : undefined;
  }
  structList(key: string): Args[] {
    if (!this.has(key)) return [];
    const v = this.struct[key];
    if (!Array.isArray(v) || !v.every(isStruct)) {
      throw new SandboxFault(FAULT.wrongType, `Parameter '${this.name(key)}' must be an array of structs`);
    }
    return v.map((s, i) => this.#child(s, `${this.name(key)}[${i}].`));
  }
  oneOf<T extends string | number>(key: string, allowed: readonly T[], value: T): T {
    if (!allowed.includes(value)) {
      throw new SandboxFault(
        FAULT.invalidValue,
        `Parameter '${this.name(key)}' must be one of ${allowed.join(', ')}, got ${String(value)}`,
      );
    }
    return value;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (Buffer.isBuffer(v)) return 'base64';
  if (v instanceof Date) return 'a dateTime';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an int' : 'a double';
  return `a ${typeof v}`;
}

export const DOMAIN_NAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
export const LOCAL_PART = /^[a-z0-9._+-]{1,64}$/i;
export const LOGIN = /^[a-z0-9][a-z0-9._@-]{0,63}$/i;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
