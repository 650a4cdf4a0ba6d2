import type { Locator, Page } from 'playwright-core';

/** Page object of the Selection page: per-server counts, bulk buttons, the object table. */
export class SelectionPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Selection', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Selection', exact: true }).waitFor();
    await this.servers.waitFor();
  }

  get servers(): Locator {
    return this.page.getByTestId('selection-servers');
  }

  async selectAll(): Promise<void> {
    await this.page.getByRole('button', { name: 'Select all', exact: true }).first().click();
  }

  async totals(): Promise<{ accounts: string; domains: string }> {
    return {
      accounts: (await this.page.getByTestId('selected-accounts-total').textContent()) ?? '',
      domains: (await this.page.getByTestId('selected-domains-total').textContent()) ?? '',
    };
  }

  async showDomains(): Promise<void> {
    await this.page.locator('.mantine-SegmentedControl-label', { hasText: /^Domains$/ }).click();
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search accounts and domains').fill(text);
  }

  checkbox(name: string, serverName: string): Locator {
    return this.page
      .getByTestId('selection-table')
      .getByRole('checkbox', { name: `Select ${name} on ${serverName}`, exact: true });
  }
}
