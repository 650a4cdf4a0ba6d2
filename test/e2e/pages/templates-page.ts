import type { Locator, Page } from 'playwright-core';

/** Page object of the Templates (mapping) page: suggestions, the mapping editor, the table. */
export class TemplatesPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByText('Templates', { exact: true })
      .click();
    await this.page.getByRole('heading', { name: 'Templates', exact: true }).waitFor();
    await this.table.waitFor();
  }

  get table(): Locator {
    return this.page.getByTestId('mapping-table');
  }

  row(templateId: string): Locator {
    return this.table.locator(`[data-testid="mapping-row"][data-template="${templateId}"]`);
  }

  async count(): Promise<string> {
    return (await this.page.getByTestId('mapping-count').textContent()) ?? '';
  }

  get suggestions(): Locator {
    return this.page.getByRole('dialog', { name: 'Suggested mappings' });
  }

  async suggest(): Promise<void> {
    await this.page.getByRole('button', { name: 'Suggest mappings' }).click();
    await this.suggestions.getByTestId('suggestion').first().waitFor();
  }

  /** Ticks exactly the suggestions of these template names, then applies them. */
  async applyOnly(templateNames: readonly string[]): Promise<void> {
    await this.suggestions.getByRole('button', { name: 'Select none' }).click();
    for (const name of templateNames)
      await this.suggestions.getByRole('checkbox', { name: `Apply the suggestion for ${name}` }).check();
    await this.suggestions.getByRole('button', { name: `Apply selected (${templateNames.length})` }).click();
    await this.suggestions.getByTestId('suggestions-result').waitFor();
  }

  async closeSuggestions(): Promise<void> {
    await this.suggestions.getByRole('button', { name: 'Close' }).click();
    await this.suggestions.waitFor({ state: 'hidden' });
  }

  editor(): Locator {
    return this.page.getByRole('dialog', { name: /^Map / });
  }

  async openEditor(templateName: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Map ${templateName}`, exact: true }).click();
    const dialog = this.editor();
    await dialog.getByRole('form', { name: 'Template mapping' }).waitFor();
    return dialog;
  }
}

/** Picks an option of a Mantine Select by its label. */
export async function pick(scope: Locator, label: string, option: string | RegExp): Promise<void> {
  await scope.getByRole('textbox', { name: label, exact: true }).click();
  await scope.page().getByRole('option', { name: option }).click();
}
