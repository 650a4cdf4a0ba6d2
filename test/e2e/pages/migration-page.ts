import type { Locator, Page } from 'playwright-core';

/** Page object of the Migration page: preview and start, the batch card, the object table and drawer. */
export class MigrationPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Migration', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Migration', exact: true }).waitFor();
  }

  /** The preview's count of accounts or domains, once it is planned. */
  async previewCount(what: 'accounts' | 'domains' | 'steps'): Promise<number> {
    const cell = this.page.getByTestId(`preview-${what}`);
    await cell.waitFor({ timeout: 120_000 });
    return Number(await cell.textContent());
  }

  /** Steps per kind as the preview table lists them ("Mailboxes" → 3). */
  async previewKinds(): Promise<Record<string, number>> {
    const rows = this.page.getByTestId('preview-kinds').locator('tbody tr');
    const out: Record<string, number> = {};
    for (const row of await rows.all()) {
      const cells = await row.locator('td').allTextContents();
      out[cells[0] ?? ''] = Number(cells[1]);
    }
    return out;
  }

  async start(concurrency: '1' | '2' | '4' | '8' | '16'): Promise<void> {
    await this.page
      .getByTestId('migration-start')
      .locator('.mantine-SegmentedControl-label', { hasText: new RegExp(`^${concurrency}$`) })
      .click();
    await this.page.getByRole('button', { name: 'Start batch' }).click();
    await this.batch.waitFor();
  }

  get batch(): Locator {
    return this.page.getByTestId('batch-card');
  }

  async batchState(): Promise<string> {
    return (await this.batch.getAttribute('data-state')) ?? '';
  }

  /** Objects or steps done so far, from the progress bar. */
  async progress(which: 'objects' | 'steps'): Promise<{ done: number; total: number; failed: number }> {
    const bar = this.page.getByTestId(`progress-${which}`);
    return {
      done: Number(await bar.getAttribute('data-done')),
      total: Number(await bar.getAttribute('data-total')),
      failed: Number(await bar.getAttribute('data-failed')),
    };
  }

  async control(label: 'Pause' | 'Resume' | 'Cancel' | 'Retry failed'): Promise<void> {
    await this.batch.getByRole('button', { name: label }).click();
  }

  /** Waits until the batch card shows this state (a batch can take minutes). */
  async waitForState(state: string, timeout = 300_000): Promise<void> {
    await this.page.locator(`[data-testid="batch-card"][data-state="${state}"]`).waitFor({ timeout });
  }

  /** Waits until the batch has ended, however it ended; returns how. */
  async waitForEnd(timeout = 600_000): Promise<string> {
    await this.page
      .locator(
        '[data-testid="batch-card"]:is([data-state="done"], [data-state="failed"], [data-state="cancelled"])',
      )
      .waitFor({ timeout });
    return this.batchState();
  }

  /** "Found N of N" per kind, as the read-back table shows it. */
  async readBack(): Promise<Record<string, { found: number; planned: number }>> {
    await this.page.getByTestId('read-back').waitFor();
    const out: Record<string, { found: number; planned: number }> = {};
    for (const row of await this.page.locator('[data-testid^="read-back-"]').all()) {
      const id = (await row.getAttribute('data-testid'))?.replace('read-back-', '') ?? '';
      out[id] = {
        found: Number(await row.getAttribute('data-found')),
        planned: Number(await row.getAttribute('data-planned')),
      };
    }
    return out;
  }

  rows(): Locator {
    return this.page.getByTestId('migration-objects').getByTestId('table-row');
  }

  async count(): Promise<string> {
    return (await this.page.getByTestId('objects-count').textContent()) ?? '';
  }

  async show(filter: 'All' | 'Migrated' | 'Failed' | 'Pending'): Promise<void> {
    await this.page
      .locator('.mantine-SegmentedControl-label', { hasText: new RegExp(`^${filter} \\(`) })
      .click();
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search objects').fill(text);
  }

  /** Opens the object's drawer from its row; returns the drawer. */
  async openObject(name: string): Promise<Locator> {
    await this.search(name);
    await this.rows().filter({ hasText: name }).first().click();
    const drawer = this.page.getByTestId('object-drawer');
    await drawer.getByTestId('object-steps').waitFor();
    // The drawer slides in: wait until it stands at the right edge of the window.
    await this.page.waitForFunction(() => {
      const box = document.querySelector('.mantine-Drawer-content')?.getBoundingClientRect();
      return box !== undefined && Math.abs(box.right - window.innerWidth) < 1;
    });
    return drawer;
  }
}
