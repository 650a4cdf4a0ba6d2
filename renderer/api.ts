/**
 * The renderer's one client of the contract: window.mm in Electron (the preload), HTTP + SSE
 * against the browser host otherwise. Pages never know which.
 */
import type {
  CallChannel,
  CallRequest,
  CallResponse,
  DownloadChannel,
  DownloadRequest,
  DownloadResult,
  DownloadTicket,
  EventChannel,
  EventPayloads,
  MmApi,
  PickedFile,
  UploadChannel,
  UploadRequest,
  UploadResult,
} from '../shared/contract';
import { EVENT_CHANNELS } from '../shared/channels';
import { reconnectDelay, setEventConnection } from './event-connection';
import type { Result } from '../shared/result';

declare global {
  interface Window {
    mm?: MmApi;
  }
}

const SECRET_KEY = 'mm-secret';

/** The browser host puts the per-run secret in the URL; keep it for this tab and drop it from the address bar. */
function takeSecret(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('secret');
  if (fromUrl) {
    sessionStorage.setItem(SECRET_KEY, fromUrl);
    url.searchParams.delete('secret');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(SECRET_KEY) ?? '';
}

function httpApi(): MmApi {
  const secret = takeSecret();
  type AnyListener = (payload: unknown) => void;
  const listeners = new Map<EventChannel, Set<AnyListener>>();
  let source: EventSource | undefined;
  let failures = 0;

  const open = (): void => {
    // The host set an HttpOnly cookie with the secret on the first page load: EventSource
    // cannot send headers, and a secret in the URL would end up in logs.
    const es = new EventSource('/api/events');
    source = es;
    for (const name of EVENT_CHANNELS) {
      es.addEventListener(name, (e) => {
        const payload: unknown = JSON.parse((e as MessageEvent<string>).data);
        for (const l of listeners.get(name) ?? []) l(payload);
      });
    }
    es.addEventListener('open', () => {
      failures = 0;
      setEventConnection({ state: 'connected' });
    });
    // The browser's own retry is one fixed interval and gives up on some failures (a refused
    // stream): close it and retry here with a growing delay until the host answers again.
    es.addEventListener('error', () => {
      es.close();
      failures += 1;
      const delay = reconnectDelay(failures);
      setEventConnection({ state: 'reconnecting', attempt: failures, delayMs: delay });
      setTimeout(open, delay);
    });
  };

  const connect = (): void => {
    if (!source) open();
  };

  /** A JSON request with the secret in its header; the host answers a Result. */
  const post = <T>(path: string, request: unknown): Promise<Result<T>> =>
    send<T>(path, { 'Content-Type': 'application/json' }, JSON.stringify(request));

  /** A POST with the secret in its header; the host answers a Result. */
  const send = async <T>(
    path: string,
    headers: Record<string, string>,
    body: BodyInit,
  ): Promise<Result<T>> => {
    try {
      const res = await fetch(path, { method: 'POST', headers: { ...headers, 'x-mm-secret': secret }, body });
      return (await res.json()) as Result<T>;
    } catch (e) {
      return {
        ok: false,
        error: { code: 'unreachable', message: `The Migration Manager host does not answer: ${String(e)}` },
      };
    }
  };

  return {
    call<C extends CallChannel>(channel: C, request: CallRequest<C>): Promise<Result<CallResponse<C>>> {
      return post<CallResponse<C>>(`/api/call/${channel}`, request);
    },
    async download<C extends DownloadChannel>(
      channel: C,
      request: DownloadRequest<C>,
    ): Promise<Result<DownloadResult>> {
      // The host checks the request and answers a one-time token; the browser then fetches the
      // file itself (the cookie carries the secret) and saves it as it arrives, never as a Blob.
      const ticket = await post<DownloadTicket>(`/api/download/${channel}`, request);
      if (!ticket.ok) return ticket;
      const a = document.createElement('a');
      a.href = `/api/download/${ticket.value.token}`;
      a.download = ticket.value.fileName;
      document.body.appendChild(a);
      a.click();
      a.remove();
      return { ok: true, value: { fileName: ticket.value.fileName, saved: true } };
    },
    async upload<C extends UploadChannel>(
      channel: C,
      request: UploadRequest<C>,
      file?: PickedFile,
    ): Promise<Result<UploadResult<C>>> {
      if (!file) return { ok: true, value: { picked: false } };
      // The File goes as the body: the browser streams it from the disk, the page never reads it.
      return send<UploadResult<C>>(
        `/api/upload/${channel}`,
        {
          'Content-Type': 'application/octet-stream',
          'x-mm-request': encodeURIComponent(JSON.stringify(request)),
          'x-mm-file-name': encodeURIComponent(file.name),
        },
        file as File,
      );
    },
    on<E extends EventChannel>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
      connect();
      const set = listeners.get(event) ?? new Set<AnyListener>();
      listeners.set(event, set);
      const l = listener as AnyListener;
      set.add(l);
      return () => set.delete(l);
    },
  };
}

export const api: MmApi = window.mm ?? httpApi();

/**
 * Whether the app asks for an upload's file itself (Electron's open dialog, in the main
 * process); in a browser the page picks it (a file input) and sends it.
 */
export const picksFilesItself: boolean = window.mm !== undefined;

/**
 * Whether this tab was given the browser host's secret (in its address). When the host refuses
 * the calls anyway, the secret is old or wrong; without one, the address was typed by hand.
 */
export const hadSecret: boolean = window.mm !== undefined || sessionStorage.getItem(SECRET_KEY) !== null;
