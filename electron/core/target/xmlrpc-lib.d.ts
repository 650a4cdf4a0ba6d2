// Types for the codec half of the `xmlrpc` package (its serializer and deserializer), which
// @types/xmlrpc does not describe. We use the library's codec and our own HTTP transport.
declare module 'xmlrpc/lib/serializer.js' {
  export function serializeMethodCall(method: string, params: readonly unknown[], encoding?: string): string;
  export function serializeMethodResponse(value: unknown): string;
  export function serializeFault(fault: { faultCode: number; faultString: string }): string;
}

declare module 'xmlrpc/lib/deserializer.js' {
  import type { Readable } from 'node:stream';
  interface XmlRpcFaultError extends Error {
    faultCode?: unknown;
    faultString?: unknown;
  }
  class Deserializer {
    constructor(encoding?: string);
    deserializeMethodResponse(
      stream: Readable,
      callback: (error: XmlRpcFaultError | null, value: unknown) => void,
    ): void;
    deserializeMethodCall(
      stream: Readable,
      callback: (error: Error | null, method?: string, params?: unknown[]) => void,
    ): void;
  }
  export = Deserializer;
}
