/**
 * The one API contract between the main process and the renderer.
 * Every call: a zod schema for its request (validated in the main process, because the
 * renderer is untrusted) and its response type. Every event: its payload type.
 * Electron IPC, the browser host's HTTP/SSE and the CLI all dispatch through this map.
 */
import { z } from 'zod';
import type { ProjectDetails, ProjectSummary } from './model/project';
import type { Result } from './result';
import { CALL_CHANNELS, type CallChannelName, EVENT_CHANNELS, type EventChannelName } from './channels';

export { CALL_CHANNELS, EVENT_CHANNELS };

export const PROJECT_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

export const projectName = z
  .string()
  .trim()
  .regex(
    PROJECT_NAME_PATTERN,
    'a project name is 1-64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit',
  );

export const callSchemas = {
  'app:get-info': z.object({}).strict(),
  'projects:list': z.object({}).strict(),
  'projects:create': z.object({ name: projectName, description: z.string().max(2000).optional() }).strict(),
  'projects:get': z.object({ projectId: z.string().min(1).max(100) }).strict(),
  'jobs:cancel': z.object({ jobId: z.string().min(1).max(100) }).strict(),
} as const satisfies Record<CallChannelName, z.ZodType>;

export type CallChannel = keyof typeof callSchemas;
export type CallRequest<C extends CallChannel> = z.input<(typeof callSchemas)[C]>;

export interface AppInfo {
  readonly version: string;
  readonly shell: 'electron' | 'browser' | 'cli' | 'test';
  readonly dataDir: string;
}

export interface CallResponses {
  'app:get-info': AppInfo;
  'projects:list': readonly ProjectSummary[];
  'projects:create': ProjectSummary;
  'projects:get': ProjectDetails;
  'jobs:cancel': { readonly cancelled: boolean };
}

export type CallResponse<C extends CallChannel> = CallResponses[C];

export interface JobProgress {
  readonly jobId: string;
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly state: 'running' | 'done' | 'failed' | 'cancelled' | 'paused';
}

export interface LogLine {
  readonly time: string;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly projectId?: string;
}

export interface EventPayloads {
  'jobs:progress': JobProgress;
  'log:line': LogLine;
  'projects:changed': { readonly projectId: string };
}

export type EventChannel = keyof EventPayloads;

// Compile-time proof that the name lists and the maps agree, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const channelListsMatch: [Same<CallChannel, CallChannelName>, Same<EventChannel, EventChannelName>] = [
  true,
  true,
];

/** The shape the renderer sees, in Electron (window.mm) and in the browser alike. */
export interface MmApi {
  call<C extends CallChannel>(channel: C, request: CallRequest<C>): Promise<Result<CallResponse<C>>>;
  on<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
}
