import type { Locator, Page } from 'playwright-core';

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

  /** The count of one status of one kind (0 when the chart shows none). */
  async count(kind: 'account' | 'domain' | 'subscription', status: string): Promise<number> {
    const cell = this.page.getByTestId(`count-${kind}-${status}`);
    if ((await cell.count()) === 0) return 0;
    return Number(await cell.getAttribute('data-count'));
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

  get detail(): Locator {
    return this.page.getByTestId('verification-detail');
  }

  async status(): Promise<string> {
    return (await this.detail.getAttribute('data-status')) ?? '';
  }

  reason(code: string): Locator {
    return this.detail.locator(`[data-testid="reason"][data-reason="${code}"]`);
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
