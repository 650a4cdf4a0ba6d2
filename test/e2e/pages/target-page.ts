import type { Locator, Page } from 'playwright-core';

/** Page object of a project's Target page: settings form, connection test, target browser. */
export class TargetPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Target', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Target', exact: true }).waitFor();
  }

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Target settings' });
  }

  async fill(values: {
    poaUrl: string;
    poaUser?: string;
    poaPassword?: string;
    pbaUrl: string;
    pbaUser?: string;
    pbaPassword?: string;
  }): Promise<void> {
    await this.form.getByLabel('POA URL').fill(values.poaUrl);
    await this.form.getByLabel('POA user').fill(values.poaUser ?? '');
    if (values.poaPassword) await this.form.getByLabel('POA password').fill(values.poaPassword);
    await this.form.getByLabel('PBA URL').fill(values.pbaUrl);
    await this.form.getByLabel('PBA user').fill(values.pbaUser ?? '');
    if (values.pbaPassword) await this.form.getByLabel('PBA password').fill(values.pbaPassword);
  }

  async save(): Promise<void> {
    await this.form.getByRole('button', { name: 'Save target' }).click();
  }

  async testConnection(): Promise<void> {
    await this.page.getByRole('button', { name: 'Test connection' }).click();
    await this.templates.waitFor();
  }

  get templates(): Locator {
    return this.page.getByTestId('poa-templates');
  }

  get plans(): Locator {
    return this.page.getByTestId('pba-plans');
  }

  get browser(): Locator {
    return this.page.getByTestId('target-browser');
  }
}
