/**
 * XML-RPC encoding and decoding through the `xmlrpc` package's codec (sax-based: it never
 * expands DTD entities, so an entity bomb arrives as inert text). Only the codec is borrowed:
 * the HTTP side is ours, for timeouts, TLS pinning and size limits.
 */
import { Readable } from 'node:stream';
import Deserializer from 'xmlrpc/lib/deserializer.js';
import { serializeFault, serializeMethodCall, serializeMethodResponse } from 'xmlrpc/lib/serializer.js';

/** An XML-RPC fault as it crossed the wire. */
export interface WireFault {
  readonly faultCode: number;
  readonly faultString: string;
}

export type DecodedResponse =
  { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'fault'; readonly fault: WireFault };

export const encodeCall = (method: string, params: readonly unknown[]): string =>
  serializeMethodCall(method, params);

export const encodeResponse = (value: unknown): string => serializeMethodResponse(value);

export const encodeFault = (fault: WireFault): string => serializeFault({ ...fault });

/** Decodes a methodResponse body; a malformed body rejects, a fault resolves as `kind: 'fault'`. */
export function decodeResponse(body: Buffer): Promise<DecodedResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    new Deserializer('utf8').deserializeMethodResponse(
      Readable.from([body], { objectMode: false }),
      (error, value) => {
        if (settled) return;
        settled = true;
        if (!error) return resolve({ kind: 'value', value });
        if (error.faultCode !== undefined || error.faultString !== undefined) {
          return resolve({
            kind: 'fault',
            fault: {
              faultCode: typeof error.faultCode === 'number' ? error.faultCode : 0,
              faultString: faultText(error.faultString),
            },
          });
        }
        reject(error);
      },
    );
  });
}

/** Decodes a methodCall body into its method name and parameters. */
export function decodeCall(body: Buffer): Promise<{ method: string; params: unknown[] }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    new Deserializer('utf8').deserializeMethodCall(
      Readable.from([body], { objectMode: false }),
      (error, method, params) => {
        if (settled) return;
        settled = true;
        if (error || method === undefined) reject(error ?? new Error('no method name'));
        else resolve({ method, params: params ?? [] });
      },
    );
  });
}

function faultText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === undefined ? '' : String(value);
}
