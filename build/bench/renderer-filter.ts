/**
 * The renderer's own table filter, timed in headless Chromium against the browser host: the
 * Inventory page of a project, each query typed into its Search box, timed inside the page from
 * the input event until the count shows the filtered result and the next frame is drawn.
 *
 * Used by inventory-import.bench.ts on the project it imported; `MM_BENCH_ONLY=filter` runs only
 * this part there, on a project made directly from the synthetic inventory (no XML, no import
 * timings), so the filter can be worked on in a minute instead of the whole bench.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/core';
import { launchBrowser } from '../../test/helpers/browser';
import { REPO_ROOT } from '../../test/helpers/paths';
import { startHost } from '../../test/helpers/processes';
import { figure, goal, reportGoals, scaledSize } from './goals';
import { syntheticInventory } from './synthetic';
import { syntheticProject } from './synthetic-project';

export interface FilterTime {
  readonly query: string;
  readonly ms: number;
  /** Keystroke to the count changed in the DOM (React's commit), before layout and paint. */
  readonly commitMs: number;
  /** The count the page drew, e.g. "1111 of 20000 domains". */
  readonly count: string;
}

/** What each keystroke types: short and long matches, a match in another column, few and many hits. */
export const FILTER_QUERIES = ['d-1', 'd-12', 'd-123', 'd-1234', '-b.', 'acc-99', 'd-5', 'd-55'] as const;

export const rendererBuilt = (): boolean => existsSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'));

/**
 * Types each query into the Inventory page's Search box (domains) and returns how long each
 * took to show its count; between queries the box is cleared again (all rows shown).
 */
export async function measureRendererFilter(
  dataDir: string,
  projectId: string,
  domainCount: number,
): Promise<FilterTime[]> {
  const times: FilterTime[] = [];
  const host = await startHost(dataDir);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(host.url);
    // The page remembers its kind per project; the bench asks for domains explicitly.
    await page.goto(new URL(`#/p/${projectId}/inventory?kind=domains`, page.url()).toString());
    const counter = page.getByTestId('inventory-count');
    await counter
      .filter({ hasText: `${domainCount} of ${domainCount} domains` })
      .waitFor({ timeout: 60_000 });
    // Marks the page's own Search box, so the timing below runs wholly inside the page.
    await page.getByLabel('Search').evaluate((el) => el.setAttribute('data-bench-search', ''));
    const type = (query: string): Promise<{ ms: number; commitMs: number; count: string }> =>
      page.evaluate(
        (q) =>
          new Promise<{ ms: number; commitMs: number; count: string }>((resolve, reject) => {
            const input = document.querySelector<HTMLInputElement>('[data-bench-search]')!;
            const count = document.querySelector('[data-testid="inventory-count"]')!;
            const before = count.textContent;
            const t0 = performance.now();
            const timer = setTimeout(() => reject(new Error(`the count never changed for "${q}"`)), 30_000);
            const seen = new MutationObserver(() => {
              if (count.textContent === before) return;
              const commitMs = performance.now() - t0;
              seen.disconnect();
              clearTimeout(timer);
              requestAnimationFrame(() =>
                resolve({ ms: performance.now() - t0, commitMs, count: count.textContent ?? '' }),
              );
            });
            seen.observe(count, { subtree: true, childList: true, characterData: true });
            // React listens for the native input event; set the value as a keystroke would.
            Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, q);
            input.dispatchEvent(new Event('input', { bubbles: true }));
          }),
        query,
      );
    for (const query of FILTER_QUERIES) {
      times.push({ query, ...(await type(query)) });
      await type(''); // back to every row before the next query
    }
    // Honesty check: the drawn count is the true number of rows the table holds for the query.
    const last = times[times.length - 1]!;
    await type(last.query);
    const drawnRows = await page.getByTestId('inventory-table').getAttribute('data-row-count');
    if (!last.count.startsWith(`${drawnRows} of `))
      throw new Error(`the count "${last.count}" is not the table's ${drawnRows} rows for "${last.query}"`);
  } finally {
    await browser.close();
    await host.stop();
  }
  return times;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Prints the filter's figures beside the goal (worst keystroke < 100 ms) and records them. */
export function reportRendererFilter(times: readonly FilterTime[], domainCount: number): void {
  if (times.length === 0) {
    console.log('renderer table filter: not measured — the renderer is not built (run "npm run build")');
    goal('renderer table filter', 'measured', false);
    return;
  }
  const worst = Math.max(...times.map((f) => f.ms));
  const mid = median(times.map((f) => f.ms));
  console.log(
    `renderer table filter in Chromium over ${domainCount} domain rows, keystroke to drawn count: median ${mid.toFixed(1)} ms, worst ${worst.toFixed(1)} ms   ${goal('renderer table filter (worst keystroke)', 'worst < 100 ms', worst < 100, { value: worst, unit: 'ms' })}`,
  );
  figure('renderer table filter (median keystroke)', mid, 'ms');
  console.log(
    `  ${times.map((f) => `"${f.query}" ${f.ms.toFixed(1)} ms (count in the DOM at ${f.commitMs.toFixed(1)} ms; ${f.count})`).join(', ')}`,
  );
}

/** `MM_BENCH_ONLY=filter`: a project on the synthetic inventory, then only the filter. */
export async function rendererFilterOnly(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mm-bench-filter-'));
  const core = createCore({ dataDir, shell: 'cli' });
  const inventory = syntheticInventory(scaledSize());
  const projectId = await syntheticProject(core, 'Bench filter', inventory, dataDir);
  const times = rendererBuilt()
    ? await measureRendererFilter(dataDir, projectId, inventory.domains.length)
    : [];
  reportRendererFilter(times, inventory.domains.length);
  reportGoals();
}
