/**
 * Every page of the demo project at 1440×900 and 1024×768: a screenshot of each, no sideways
 * scrolling of the page (wide tables scroll inside themselves), and table headers aligned with
 * their cells.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchConsole } from '../helpers/browser';
import { tempDir } from '../helpers/paths';
import { type RunningHost, startHost } from '../helpers/processes';
import { AppPage } from './pages/app-page';

const PROJECT = 'demo-migration';
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
] as const;

/** Each page and the element that shows once its data is there. */
const PAGES: readonly { readonly key: string; readonly ready: string }[] = [
  { key: 'dashboard', ready: '[data-testid="dashboard-servers"]' },
  { key: 'servers', ready: '[data-testid="server-card"]' },
  { key: 'inventory', ready: '[data-testid="inventory-table"] [data-testid="table-row"]' },
  { key: 'target', ready: 'button:has-text("Save target")' },
  { key: 'templates', ready: '[data-testid="mapping-row"]' },
  { key: 'selection', ready: '[data-testid="selection-table"] [data-testid="table-row"]' },
  { key: 'verification', ready: '[data-testid="verification-table"] [data-testid="table-row"]' },
  { key: 'migration', ready: 'h2' },
  // The demo project is kept in files: the page says how to share it; a shared one shows its store.
  { key: 'workers', ready: '[data-testid="workers-not-shared"], [data-testid="workers-store"]' },
  { key: 'checks', ready: 'h2' },
  { key: 'reports', ready: 'button:has-text("Download HTML")' },
];

async function call(host: RunningHost, channel: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${host.origin}/api/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mm-secret': host.secret },
    body: JSON.stringify(body),
  });
  const r = (await res.json()) as { ok: boolean; value: unknown; error?: { message: string } };
  if (!r.ok) throw new Error(`${channel}: ${r.error?.message}`);
  return r.value;
}

/** How far the page itself scrolls sideways (0: it fits the window). */
const sideways = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Largest distance between a table header cell's left edge and its column's first cell. */
const misalignment = (page: Page): Promise<number> =>
  page.evaluate(() => {
    let worst = 0;
    for (const header of document.querySelectorAll('[data-testid="table-header"]')) {
      const grid = header.closest('[role="grid"]');
      const row = grid?.querySelector('[data-testid="table-row"]');
      if (!row) continue;
      const heads = [...header.querySelectorAll('[role="columnheader"]')];
      const cells = [...row.querySelectorAll('[role="gridcell"]')];
      heads.forEach((h, i) => {
        const c = cells[i];
        if (c)
          worst = Math.max(worst, Math.abs(h.getBoundingClientRect().left - c.getBoundingClientRect().left));
      });
    }
    return worst;
  });

/**
 * Controls cut off at the window's edge (a table's Edit button out of reach) or by their card
 * (a chart legend clipped): their names.
 */
const clipped = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const out: string[] = [];
    for (const b of document.querySelectorAll('table button')) {
      const r = b.getBoundingClientRect();
      if (r.width > 0 && r.right > window.innerWidth)
        out.push(b.getAttribute('aria-label') ?? b.textContent ?? '');
    }
    for (const b of document.querySelectorAll('[data-testid^="count-"]')) {
      const card = b.closest('.mantine-Card-root');
      const text = [...b.querySelectorAll('p')].pop();
      if (!card || !text) continue;
      if (
        text.getBoundingClientRect().right > card.getBoundingClientRect().right ||
        text.scrollWidth > text.clientWidth + 1
      )
        out.push(b.getAttribute('aria-label') ?? '');
    }
    return out;
  });

describe('every page at 1440×900 and 1024×768', () => {
  let browser: Browser;
  let host: RunningHost;
  beforeAll(async () => {
    [browser, host] = await Promise.all([launchBrowser(), tempDir().then((d) => startHost(d))]);
    // Verified results, so the verification page has its chart and table.
    const { suggestions } = (await call(host, 'mapping:suggest', { projectId: PROJECT })) as {
      suggestions: { input: unknown }[];
    };
    await call(host, 'mapping:apply-suggestions', {
      projectId: PROJECT,
      mappings: suggestions.map((x) => x.input),
    });
    await call(host, 'selection:set', { projectId: PROJECT, mode: 'add', target: { by: 'all' } });
    await call(host, 'verification:run', { projectId: PROJECT });
    // Waits for the run's results (a job) without expect.poll, which belongs inside a test.
    for (let i = 0; i < 200; i++) {
      const summary = (await call(host, 'verification:summary', { projectId: PROJECT })) as {
        verifiedAt: string | null;
      };
      if (summary.verifiedAt) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await host?.stop();
    await browser?.close();
  });

  for (const size of SIZES) {
    it(`${size.width}×${size.height}: every page fits, tables line up, a screenshot of each`, async () => {
      const page = await browser.newPage({ viewport: size });
      // Generous: the whole suite shares two cores, and this test waits only for states.
      page.setDefaultTimeout(30_000);
      const errors = watchConsole(page);
      const app = new AppPage(page);
      await app.open(host.url);
      await app.gotoProjects();
      expect(await sideways(page), 'projects page scrolls sideways').toBeLessThanOrEqual(0);
      await screenshot(page, `layout-projects-${size.width}x${size.height}`);
      for (const p of PAGES) {
        await page.goto(new URL(`#/p/${PROJECT}/${p.key}`, page.url()).toString());
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.locator(p.ready).first().waitFor();
        expect(await sideways(page), `${p.key} scrolls sideways`).toBeLessThanOrEqual(0);
        expect(await misalignment(page), `${p.key}: headers off their cells`).toBeLessThanOrEqual(1);
        expect(await clipped(page), `${p.key}: controls cut off`).toEqual([]);
        await screenshot(page, `layout-${p.key}-${size.width}x${size.height}`);
      }
      expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
      await page.close();
    });
  }
});
