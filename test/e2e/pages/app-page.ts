import type { Page } from 'playwright-core';

/** Page object of the MM CP shell and the projects page. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('#root[data-app-state="loaded"]').waitFor();
  }

  async gotoProjects(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Projects', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Migration projects' }).waitFor();
  }

  async createProject(name: string, description = ''): Promise<void> {
    await this.page.getByRole('button', { name: 'New project' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New migration project' });
    await dialog.getByLabel('Name').fill(name);
    if (description) await dialog.getByLabel('Description').fill(description);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await this.page.getByTestId('project-title').filter({ hasText: name }).waitFor();
  }

  projectRow(name: string) {
    return this.page.getByTestId('projects-table').getByRole('row').filter({ hasText: name });
  }
}
