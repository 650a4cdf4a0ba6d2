import type { Locator, Page } from 'playwright-core';

/** Page object of the projects page's store actions (issue 15): where a project is kept, and moving it. */
export class ProjectsPage {
  constructor(readonly page: Page) {}

  /** The "Kept in" badge of a project's row, by project id. */
  store(projectId: string): Locator {
    return this.page.getByTestId(`store-${projectId}`);
  }

  moveDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Move to PostgreSQL' });
  }

  async openMove(projectName: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Move ${projectName} to PostgreSQL` }).click();
    const dialog = this.moveDialog();
    await dialog.waitFor();
    return dialog;
  }

  async fillStore(address: string, password: string): Promise<void> {
    const dialog = this.moveDialog();
    await dialog.getByLabel('Database address').fill(address);
    await dialog.getByLabel('Database password').fill(password);
  }

  /** Clicks Test connection and returns what it said. */
  async testConnection(): Promise<string> {
    const dialog = this.moveDialog();
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    const outcome = dialog.getByTestId('store-test-outcome');
    await outcome.waitFor({ timeout: 30_000 });
    return (await outcome.textContent()) ?? '';
  }

  async move(): Promise<void> {
    await this.moveDialog().getByRole('button', { name: 'Move' }).click();
  }

  /** What the page said once the move ended. */
  async moveResult(): Promise<string> {
    const result = this.page.getByTestId('move-result');
    await result.waitFor({ timeout: 60_000 });
    return (await result.textContent()) ?? '';
  }
}
