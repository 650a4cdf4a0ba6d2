/**
 * Moving the demo project to PostgreSQL from the projects page (issue 15), in Chromium through
 * the browser host, against a real PostgreSQL: the project is opened first (the host's core holds
 * it), then "Move to PostgreSQL…" — Test connection with a wrong password says why, with the
 * right one connects — and Move. The page says what moved, the list shows the project kept in
 * PostgreSQL, its documents are rows there, it opens from there, and the typed password is
 * nowhere on disk in plain text. Neither the host nor the test has PGPASSWORD.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { filesUnder } from '../helpers/files-under';
import { tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { ProjectsPage } from './pages/projects-page';

const DEMO = 'demo-migration';
const NAME = 'Demo migration';

/** A console line that is not the 400 of the wrong password the test typed on purpose. */
const unrefused = (line: string): boolean =>
  !/HTTP 400 POST \/api\/call\/projects:test-store|status of 400 \(Bad Request\)/.test(line);

describe('moving a project to PostgreSQL from the projects page', () => {
  let browser: Browser;
  let pg: Postgres;
  let host: RunningHost;
  let dataDir: string;
  const saved = { store: process.env['MM_STORE'], password: process.env['PGPASSWORD'] };

  beforeAll(async () => {
    // the host starts its demo as files and knows no database password but the one typed
    delete process.env['MM_STORE'];
    delete process.env['PGPASSWORD'];
    dataDir = await tempDir('mm-ui-move-');
    [browser, pg, host] = await Promise.all([
      launchBrowser(),
      startPostgres({ database: 'mmuimove', user: 'mm' }),
      startHost(dataDir),
    ]);
  }, 180_000);

  afterAll(async () => {
    await host?.stop();
    await browser?.close();
    await pg?.stop();
    if (saved.store !== undefined) process.env['MM_STORE'] = saved.store;
    if (saved.password !== undefined) process.env['PGPASSWORD'] = saved.password;
  });

  it('moves the open demo project and lists it as kept in PostgreSQL', async () => {
    const address = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const app = new AppPage(page);
    const projects = new ProjectsPage(page);
    await app.open(host.url);
    await app.gotoProjects();
    // opened and read by the host's core before it moves
    await app.projectRow(NAME).getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').filter({ hasText: NAME }).waitFor({ timeout: 60_000 });
    await app.gotoProjects();
    await expect.poll(() => projects.store(DEMO).textContent()).toBe('files on this machine');

    await projects.openMove(NAME);
    await projects.fillStore(address, 'not-the-password');
    expect(await projects.testConnection()).toMatch(/could not be opened: .*password/);
    await projects.fillStore(address, pg.password);
    expect(await projects.testConnection()).toBe(`Connected to ${address}`);
    await screenshot(page, 'project-move-dialog');
    await projects.move();
    const said = await projects.moveResult();
    expect(said).toContain(`${NAME} is kept in PostgreSQL now`);
    expect(said).toMatch(/\d+ documents and \d+ journal entries moved to postgres:\/\//);
    await expect.poll(() => projects.store(DEMO).textContent()).toBe(`PostgreSQL · 127.0.0.1:${pg.port}`);
    // a project kept in PostgreSQL offers no move any more
    expect(await page.getByRole('button', { name: `Move ${NAME} to PostgreSQL` }).count()).toBe(0);
    await screenshot(page, 'project-move-listed');

    // its documents are rows now, and it opens from there
    expect(
      pg.psql(`SELECT count(*) FROM mm_documents WHERE project_id = '${DEMO}' AND path = 'project.json';`),
    ).toMatch(/\b1\b/);
    await app.projectRow(NAME).getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('project-title').filter({ hasText: NAME }).waitFor({ timeout: 60_000 });

    // the typed password is sealed: on disk nowhere in plain text (the sandbox's files aside)
    for (const f of (await filesUnder(dataDir)).filter((x) => !x.includes(`${join(dataDir, 'sandbox')}/`)))
      expect(await readFile(f, 'utf8'), f).not.toContain(pg.password);
    expect(errors.filter(unrefused)).toEqual([]);
  }, 300_000);
});
