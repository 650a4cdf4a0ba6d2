/** Reads the browser host's state through its own API, as the page does (for asserting what is stored). */
import type { RunningHost } from './processes';

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
