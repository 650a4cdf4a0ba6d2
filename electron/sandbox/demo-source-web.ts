/**
 * The demo source's own web server: the page check fetches each page from the source too, and
 * the built-in demo's Linux server is a layout on disk with no web server of its own. The app
 * serves that layout's document roots on a free loopback port on every start and points the
 * demo's Linux server at it in the check settings — only in demo projects, and only when the
 * address there is unset or is the one the app set on an earlier start (an address the user set
 * is kept). The address the app set is remembered per project in `<data>/.demo-source-web.json`.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Core } from '../core/core';
import { DEMO_SERVER_NAME } from '../core/demo';
import { type RunningSourceWebServer, startSourceWebServer } from './source-web-server';

/** Where the demo's Linux layout is built (demo.ts addDemoSourceServer). */
export const demoSourceRoot = (dataDir: string): string => join(dataDir, 'demo-source');

const memoFile = (dataDir: string): string => join(dataDir, '.demo-source-web.json');

/** The demo layout's web server, or undefined when there is no demo layout (`--no-demo`, removed). */
export async function startDemoSourceWeb(dataDir: string): Promise<RunningSourceWebServer | undefined> {
  if (!existsSync(join(demoSourceRoot(dataDir), 'home'))) return undefined;
  return startSourceWebServer(demoSourceRoot(dataDir));
}

/** Project id → the address the app last set for its demo Linux server. */
async function readMemo(dataDir: string): Promise<Record<string, string>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(memoFile(dataDir), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Sets `url` as the web address of every demo project's Linux demo server the user has not set. */
export async function attachDemoSourceWeb(core: Core, url: string): Promise<void> {
  const dataDir = core.info.dataDir;
  const memo = await readMemo(dataDir);
  const root = demoSourceRoot(dataDir);
  for (const project of await core.projects.list()) {
    if (!project.demo || project.problem !== undefined) continue;
    const server = (await core.servers.list(project.id)).find(
      (s) =>
        s.demo === true &&
        s.kind === 'linux' &&
        s.name === DEMO_SERVER_NAME &&
        s.connection.type === 'local' &&
        s.connection.root === root,
    );
    if (!server) continue;
    const current = (await core.checks.settings(project.id)).sourceWeb?.[server.id];
    if (current && current !== memo[project.id]) continue;
    await core.checks.setSettings(project.id, { sourceWeb: { [server.id]: url } });
    memo[project.id] = url;
  }
  await writeFile(memoFile(dataDir), `${JSON.stringify(memo, null, 2)}\n`);
}
