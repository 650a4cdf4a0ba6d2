/** Reads the browser host's state through its own API, as the page does (for asserting what is stored). */
import type { RunningHost } from './processes';
import type { Result } from '../../shared/result';

/** The names of the source servers the host has stored for a project. */
export async function serverNames(host: RunningHost, projectId: string): Promise<string[]> {
  const res = await fetch(`${host.origin}/api/call/servers:list`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify({ projectId }),
  });
  const r = (await res.json()) as { ok: boolean; value: { name: string }[] };
  return r.value.map((s) => s.name);
}

/** One contract call through the browser host's API; a refusal throws with the core's message. */
export async function call<T>(host: RunningHost, channel: string, body: unknown): Promise<T> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as Result<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
  return r.value;
}

/** The demo made ready as an engineer would: suggested mappings accepted, everything selected. */
export async function readyDemo(host: RunningHost, projectId: string): Promise<void> {
  const suggested = await call<{ suggestions: { input: unknown }[] }>(host, 'mapping:suggest', { projectId });
  await call(host, 'mapping:apply-suggestions', {
    projectId,
    mappings: suggested.suggestions.map((s) => s.input),
  });
  await call(host, 'selection:set', { projectId, mode: 'add', target: { by: 'all' } });
}
