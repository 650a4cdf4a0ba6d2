/**
 * The store choice and the Workers page in Chromium through the browser host, against a real
 * PostgreSQL (issue 15): a project created on PostgreSQL from the New project dialog (the
 * password typed there, sealed on this machine: on disk nowhere in plain text, not in the
 * address), the project list saying where each project lives, the same project opened from a
 * second host with "Open shared project" (a wrong password refused plainly), and its Workers page
 * showing a real `mm worker` process live as it starts and stops. Neither host nor the test
 * process has PGPASSWORD: only the password typed in the UI opens the database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { type Postgres, startPostgres } from '../helpers/postgres';
import { type RunningHost, runMm, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';
import { filesUnder } from '../helpers/files-under';
import { onPgStore } from '../helpers/store-under-test';

const NAME = 'Shared cluster';
const ID = 'shared-cluster';

/** A console line that is not the 400 of a refusal the test provoked on the store forms. */
const unrefused = (line: string): boolean =>
  !/HTTP 400 POST \/api\/call\/projects:(create-shared|attach)|status of 400 \(Bad Request\)/.test(line);

async function fillStore(page: Page, dialogName: string, address: string, password: string): Promise<void> {
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByLabel('Database address').fill(address);
  await dialog.getByLabel('Database password').fill(password);
}

// New project (PostgreSQL) makes the project in a scratch folder and moves it into the PostgreSQL
// this test starts: from files, or with MM_STORE from the suite's database (a move between
// databases), so it runs in either pass.
describe('projects on PostgreSQL and their workers in the UI', () => {
  let browser: Browser;
  let pg: Postgres;
  let address: string;
  const hosts: RunningHost[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    delete process.env['PGPASSWORD'];
    [browser, pg] = await Promise.all([launchBrowser(), startPostgres({ database: 'mmui', user: 'mm' })]);
    address = `postgres://${pg.user}@127.0.0.1:${pg.port}/${pg.database}`;
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(hosts.map((h) => h.stop()));
    await browser?.close();
    await pg?.stop();
  });

  it('creates a project on PostgreSQL, opens it from a second host and shows its workers live', async () => {
    const dataA = await tempDir('mm-ui-a-');
    const hostA = await startHost(dataA);
    hosts.push(hostA);
    const page = await browser.newPage();
    const errors = watchConsole(page);
    const app = new AppPage(page);
    await app.open(hostA.url);
    await app.gotoProjects();

    // New project → kept in PostgreSQL, the password typed in the dialog
    await page.getByRole('button', { name: 'New project' }).click();
    const dialog = page.getByRole('dialog', { name: 'New migration project' });
    await dialog.getByLabel('Name').fill(NAME);
    await dialog.getByText('PostgreSQL (shared)').click();
    // an address with the password in it is refused on the field, naming why
    await fillStore(
      page,
      'New migration project',
      `postgres://mm:${pg.password}@127.0.0.1:${pg.port}/mmui`,
      '',
    );
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByText(/address carries a password/).waitFor();
    await fillStore(page, 'New migration project', address, pg.password);
    await screenshot(page, 'team-create-on-postgres');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('project-title').filter({ hasText: NAME }).waitFor({ timeout: 60_000 });

    // the project's documents are rows in the database
    expect(
      pg.psql(`SELECT count(*) FROM mm_documents WHERE project_id = '${ID}' AND path = 'project.json';`),
    ).toMatch(/\b1\b/);
    // the list says where each project lives
    await app.gotoProjects();
    await expect
      .poll(() => page.getByTestId(`store-${ID}`).textContent())
      .toBe(`PostgreSQL · 127.0.0.1:${pg.port}`);
    await expect
      .poll(() => page.getByTestId('store-demo-migration').textContent())
      .toBe('files on this machine');
    await screenshot(page, 'team-project-list-stores');
    // the password is nowhere on disk in plain text (sealed in the secret store), nor in the link
    for (const f of await filesUnder(dataA)) expect(await readFile(f, 'utf8'), f).not.toContain(pg.password);
    const link = JSON.parse(await readFile(join(dataA, 'projects', ID, 'store.json'), 'utf8')) as {
      url: string;
    };
    expect(link.url).toBe(address);

    // the Workers page: a file project says how to share it; the shared one has no worker yet
    // (on the PostgreSQL store the demo project is itself kept in the suite's database)
    if (!onPgStore) {
      await page.goto(`${hostA.origin}/#/p/demo-migration/workers`);
      await page.getByTestId('workers-not-shared').waitFor();
    }
    await page.goto(`${hostA.origin}/#/p/${ID}/workers`);
    await page.getByTestId('workers-none').waitFor();
    expect(await page.getByTestId('workers-store').textContent()).toContain(address);

    // a real worker on the project, from another data dir (a CLI with PGPASSWORD, as on a worker machine)
    const dataW = await tempDir('mm-ui-worker-');
    const env = { PGPASSWORD: pg.password };
    const attached = await runMm(['project', 'attach', ID, '--store', address, '--data-dir', dataW], env);
    expect(attached.code, attached.stderr).toBe(0);
    // a worker opens the project's sealed credentials: its data dir is granted the key, as a worker machine's is
    const key = await runMm(['engineer', 'key', '--json', '--data-dir', dataW], env);
    const { publicKey } = JSON.parse(key.stdout) as { publicKey: string };
    const granted = await runMm(
      ['project', 'grant', ID, '--engineer', publicKey, '--name', 'worker', '--data-dir', dataA],
      env,
    );
    expect(granted.code, granted.stderr).toBe(0);
    const worker = spawn(
      process.execPath,
      ['electron/cli/mm.mjs', 'worker', '--project', ID, '--data-dir', dataW],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: 'ignore',
      },
    );
    children.push(worker);
    const row = page.getByTestId('worker-row');
    // heard live (NOTIFY), not by reloading the page
    await row.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`:${worker.pid}:`);
    await screenshot(page, 'team-workers-page');
    worker.kill('SIGTERM');
    await row.filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 });

    // a second engineer's host opens the shared project: a wrong password first
    const dataB = await tempDir('mm-ui-b-');
    const hostB = await startHost(dataB, ['--no-demo']);
    hosts.push(hostB);
    const pageB = await browser.newPage();
    const errorsB = watchConsole(pageB);
    const appB = new AppPage(pageB);
    await appB.open(hostB.url);
    await appB.gotoProjects();
    await pageB.getByRole('button', { name: 'Open shared project' }).click();
    const attach = pageB.getByRole('dialog', { name: 'Open a shared project' });
    await attach.getByLabel('Project id').fill(ID);
    await fillStore(pageB, 'Open a shared project', address, 'not-the-password');
    await attach.getByRole('button', { name: 'Open' }).click();
    await attach.getByText(/could not be opened: .*password/).waitFor({ timeout: 30_000 });
    await fillStore(pageB, 'Open a shared project', address, pg.password);
    await attach.getByRole('button', { name: 'Open' }).click();
    await pageB.getByTestId('project-title').filter({ hasText: NAME }).waitFor({ timeout: 60_000 });
    await appB.gotoProjects();
    await expect.poll(() => pageB.getByTestId(`store-${ID}`).textContent()).toContain('PostgreSQL');
    for (const f of await filesUnder(dataB)) expect(await readFile(f, 'utf8'), f).not.toContain(pg.password);
    // the refusals the test asked for (an address with a password, a wrong password) and nothing else
    expect(errors.filter(unrefused)).toEqual([]);
    expect(errorsB.filter(unrefused)).toEqual([]);
  }, 300_000);
});
