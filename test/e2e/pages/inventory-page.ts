import type { Page } from 'playwright-core';

/** Page object of the Inventory page. */
export class InventoryPage {
  constructor(readonly page: Page) {}

  async open(projectId: string): Promise<void> {
    await this.page.goto(new URL(`#/p/${projectId}/inventory`, this.page.url()).toString());
    await this.page.getByRole('heading', { name: 'Inventory' }).waitFor();
  }

  async show(kind: 'Accounts' | 'Domains' | 'Subscriptions' | 'Service templates'): Promise<void> {
    await this.page.getByText(kind, { exact: true }).click();
  }

  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search').fill(text);
  }

  async onlyServer(serverId: string): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Source server' }).click();
    await this.page.getByRole('option', { name: serverId, exact: true }).click();
  }

  async count(): Promise<string> {
    return (await this.page.getByTestId('inventory-count').textContent()) ?? '';
  }

  rows() {
    return this.page.getByTestId('inventory-table').getByTestId('table-row');
  }
}
