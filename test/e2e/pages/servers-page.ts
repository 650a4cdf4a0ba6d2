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

  /**
   * "Fetch inventory" on a server's card, until its job is done (the card's inventory line is
   * reloaded after that: poll it). A failed job throws with what the card says.
   */
  async fetchInventory(serverId: string): Promise<void> {
    const card = this.card(serverId);
    await card.getByRole('button', { name: 'Fetch inventory' }).click();
    const done = card.locator('[data-testid="job-progress"][data-state="done"]');
    const failed = card.getByTestId('api-error');
    await done.or(failed).waitFor({ timeout: 60_000 });
    if (await failed.isVisible())
      throw new Error(`the inventory fetch failed: ${await failed.textContent()}`);
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

export interface SoapForm {
  readonly name: string;
  /** What `perl agent.pl --serve` printed: http(s)://host:port/mm-agent. */
  readonly url: string;
  readonly token: string;
}

/** The SOAP steps of the same wizard (an agent served with `perl agent.pl --serve`). */
export class SoapWizard {
  readonly dialog;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Register a source server' });
  }

  /** Opens the wizard, chooses SOAP, fills URL and token and clicks "Register and test". */
  async registerAndTest(f: SoapForm): Promise<void> {
    await this.page.getByRole('button', { name: 'Register a source server' }).click();
    await this.dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(f.name);
    await this.dialog.getByText('SOAP over HTTP(S)', { exact: true }).click();
    await this.dialog.getByRole('textbox', { name: 'Agent URL', exact: true }).fill(f.url);
    await this.dialog.getByLabel('Token').fill(f.token);
    await this.dialog.getByRole('button', { name: 'Register and test' }).click();
  }

  /** The unknown certificate's fingerprint the test step shows (HTTPS), as shown. */
  async certificateFingerprint(): Promise<string> {
    const code = this.dialog.getByTestId('host-key-fingerprint');
    await code.waitFor();
    return ((await code.textContent()) ?? '').trim();
  }

  async acceptCertificate(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Accept and pin this certificate' }).click();
  }

  /** The "Connected" summary of the test step, once the test passed. */
  async connected(): Promise<string> {
    const ok = this.dialog.getByTestId('connection-ok');
    await ok.waitFor();
    return (await ok.textContent()) ?? '';
  }

  /** The refusal the test step shows when the connection test failed. */
  async testError(): Promise<string> {
    const alert = this.dialog.getByTestId('api-error');
    await alert.waitFor();
    return (await alert.textContent()) ?? '';
  }

  /** From a passed test: past the settings to the last step, and Finish without fetching there. */
  async finish(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Next' }).click();
    await this.dialog.getByRole('button', { name: 'Next' }).click();
    await this.dialog.getByRole('button', { name: 'Finish' }).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }

  async cancel(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Cancel' }).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }
}
