import type { Page } from 'playwright-core';

export interface SshForm {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: string;
  readonly agentPath: string;
  readonly sourceRoot: string;
}

/** Page object of the Source servers page and its registration wizard. */
export class ServersPage {
  constructor(readonly page: Page) {}

  async open(projectId: string): Promise<void> {
    await this.page.goto(new URL(`#/p/${projectId}/servers`, this.page.url()).toString());
    await this.page.getByRole('heading', { name: 'Source servers' }).waitFor();
  }

  card(serverId: string) {
    return this.page.locator(`[data-testid="server-card"][data-server="${serverId}"]`);
  }

  async registerOverSsh(f: SshForm): Promise<{ fingerprint: string }> {
    await this.page.getByRole('button', { name: 'Register a source server' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Register a source server' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(f.name);
    await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(f.host);
    await dialog.getByLabel('SSH port').fill(String(f.port));
    await dialog.getByRole('textbox', { name: 'User', exact: true }).fill(f.user);
    await dialog.getByText('Private key', { exact: true }).click();
    await dialog.getByLabel('Private key (OpenSSH or PEM)').fill(f.privateKey);
    await dialog.getByLabel('Agent path on the server').fill(f.agentPath);
    await dialog.getByLabel('Source files root (optional)').fill(f.sourceRoot);
    await dialog.getByRole('button', { name: 'Register and test' }).click();
    const fingerprint = (await dialog.getByTestId('host-key-fingerprint').textContent()) ?? '';
    await dialog.getByRole('button', { name: 'Accept and pin this key' }).click();
    await dialog.getByTestId('connection-ok').waitFor();
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByLabel('Protective interval (days)').fill('45');
    await dialog.getByRole('button', { name: 'Next' }).click();
    await dialog.getByRole('button', { name: 'Fetch inventory' }).click();
    await dialog.locator('[data-testid="job-progress"][data-state="done"]').waitFor({ timeout: 60_000 });
    await dialog.getByRole('button', { name: 'Finish' }).click();
    await dialog.waitFor({ state: 'hidden' });
    return { fingerprint: fingerprint.trim() };
  }
}
