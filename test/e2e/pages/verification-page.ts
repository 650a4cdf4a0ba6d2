import type { Locator, Page } from 'playwright-core';
import { STATUSES, type VerifiedKind } from '../../../shared/statuses';

/** Each status's code by the label the renderer shows for it (one label per code, any kind). */
const STATUS_BY_LABEL = new Map<string, string>(
  Object.values(STATUSES).flatMap((byStatus) =>
    Object.entries(byStatus as Record<string, { label: string }>).map(([code, info]) => [info.label, code]),
  ),
);

/** Page object of the Verification page: run, counts, results table, detail drawer, decisions. */
export class VerificationPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Verification', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Verification', exact: true }).waitFor();
  }

  async run(): Promise<void> {
    await this.page.getByRole('button', { name: 'Run verification' }).click();
    await this.page.locator('[data-testid="job-progress"][data-state="done"]').waitFor();
    await this.page.getByTestId('verification-counts').waitFor();
  }

  /**
   * The count of one status of one kind as the chart's legend shows it (0 when it shows none):
   * the number the user reads, next to the status's own label.
   */
  async count(kind: VerifiedKind, status: string): Promise<number> {
    const cell = this.page.getByTestId(`count-${kind}-${status}`);
    if ((await cell.count()) === 0) return 0;
    const [number, label] = await cell.locator('p').allTextContents();
    const expected = (STATUSES[kind] as Record<string, { label: string } | undefined>)[status]?.label;
    if (label !== expected)
      throw new Error(`the ${kind} count of ${status} is labelled "${label}", not "${expected}"`);
    return Number(number);
  }

  rows(): Locator {
    return this.page.getByTestId('verification-table').getByTestId('table-row');
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search results').fill(text);
  }

  /** Opens the first result row that shows all these texts. */
  async openRow(search: string, ...hasText: string[]): Promise<Locator> {
    await this.search(search);
    // The table refreshes after the search reaches the core: pick a row that matches it, never
    // one of the rows shown before, and wait for the drawer to show that object.
    let row = this.rows().filter({ hasText: search });
    for (const t of hasText) row = row.filter({ hasText: t });
    await row.first().click();
    const detail = this.detail;
    await detail.filter({ hasText: search }).waitFor();
    return detail;
  }

  /** Like openRow, on the row whose Server column names this server (messages name servers too). */
  async openRowOn(server: string, search: string, ...hasText: string[]): Promise<Locator> {
    await this.search(search);
    let row = this.rows()
      .filter({ hasText: search })
      .filter({ has: this.page.getByText(server, { exact: true }) });
    for (const t of hasText) row = row.filter({ hasText: t });
    await row.first().click();
    await this.detail.filter({ hasText: search }).waitFor();
    return this.detail;
  }

  get detail(): Locator {
    return this.page.getByTestId('verification-detail');
  }

  /** The status of the object in the drawer, read from the label the user sees on its badge. */
  async status(): Promise<string> {
    const label = (await this.detail.locator('[data-status]').first().textContent()) ?? '';
    return STATUS_BY_LABEL.get(label) ?? `unknown label "${label}"`;
  }

  reason(code: string): Locator {
    return this.detail.locator(`[data-testid="reason"][data-reason="${code}"]`);
  }

  /**
   * Clicks a fix of a reason; the fix shows what it changes before it is applied. Returns the
   * lines naming the other objects it changes, then applies it.
   */
  async applyFix(code: string, name: string | RegExp): Promise<string[]> {
    await this.reason(code)
      .getByRole('button', { name, exact: typeof name === 'string' })
      .first()
      .click();
    const dialog = this.page.getByRole('dialog').filter({ has: this.page.getByTestId('fix-preview') });
    await dialog.getByTestId('fix-preview').locator('ul, p').first().waitFor();
    const also = await dialog.getByTestId('fix-side-effects').getByRole('listitem').allTextContents();
    await dialog.getByRole('button', { name: 'Apply the fix' }).click();
    await dialog.waitFor({ state: 'hidden' });
    return also;
  }

  related(id: string): Locator {
    return this.detail.locator(`[data-testid="related-object"][data-object="${id}"]`);
  }

  /** Waits for the drawer's slide-in to finish (for screenshots): its panel no longer moves. */
  async detailSettled(): Promise<void> {
    await this.page.waitForFunction(() => {
      const panel = document.querySelector('.mantine-Drawer-content');
      if (!panel) return false;
      const t = getComputedStyle(panel).transform;
      return (t === 'none' || t === 'matrix(1, 0, 0, 1, 0, 0)') && getComputedStyle(panel).opacity === '1';
    });
  }

  async closeDetail(): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.detail.waitFor({ state: 'hidden' });
  }

  async showDecisions(): Promise<void> {
    await this.page.getByRole('tab', { name: /Decisions/ }).click();
    await this.page.getByTestId('decisions').waitFor();
  }

  async showResults(): Promise<void> {
    await this.page.getByRole('tab', { name: 'Results' }).click();
  }

  decisionRows(): Locator {
    return this.page.getByTestId('decision-row');
  }
}
