/**
 * IP mapping (SPEC R14), as the shells see it: the target's IP pool, the default, and one row
 * per source IP with the target it becomes and why. The rules themselves live in
 * electron/core/ipmap/ip-rules.ts.
 */
import { z } from 'zod';

export type SourceIpType = 'shared' | 'exclusive';
export type TargetIpKind = 'shared' | 'dedicated';
export type IpMapOrigin = 'rule' | 'manual' | 'import';
export type IpRule = 'dedicated' | 'shared' | 'default';

export interface TargetIpInfo {
  readonly address: string;
  readonly kind: TargetIpKind;
}

export interface IpMapRow {
  readonly source: string;
  /** 'unknown': in the table (set or imported) but on no source server's inventory. */
  readonly sourceType: SourceIpType | 'unknown';
  /** Names of the source servers that have it. */
  readonly servers: readonly string[];
  /** Domains whose web hosting or zone records use it (from domain services, when fetched). */
  readonly domains: number;
  readonly target?: string;
  readonly origin?: IpMapOrigin;
  readonly rule?: IpRule;
  /** A dedicated source IP that got the default because no dedicated target IP was free. */
  readonly exhausted?: boolean;
  readonly setBy?: string;
  readonly setAt?: string;
}

export interface IpMapView {
  readonly pool: readonly TargetIpInfo[];
  readonly defaultTarget?: string;
  readonly rows: readonly IpMapRow[];
  /** Changes with every edit (part of the verification stamp). */
  readonly revision: number;
}

export interface IpMapSuggestResult {
  readonly applied: boolean;
  /** Rows as they are (applied) or would be (not applied). */
  readonly rows: readonly IpMapRow[];
  /** Source IPs the rules could not map (no pool, no default of their IP version). */
  readonly unmapped: readonly string[];
  /** Dedicated source IPs that fell back to the default. */
  readonly exhausted: readonly string[];
}

export interface IpMapImportResult {
  readonly imported: number;
  readonly fileName: string;
}

const ip = z.string().min(1).max(64);

export const ipMapSetSchema = z.object({ source: ip, target: ip.nullable() }).strict();
export const ipMapPoolSchema = z
  .object({
    shared: z.array(ip).max(4096),
    dedicated: z.array(ip).max(4096),
    defaultTarget: ip.nullable().optional(),
  })
  .strict();
export const ipMapImportSchema = z
  .object({ fileName: z.string().min(1).max(255), text: z.string().max(8_000_000) })
  .strict();
export const ipMapSuggestSchema = z.object({ apply: z.boolean() }).strict();

export type IpMapSetInput = z.infer<typeof ipMapSetSchema>;
export type IpMapPoolInput = z.infer<typeof ipMapPoolSchema>;
export type IpMapImportInput = z.infer<typeof ipMapImportSchema>;
