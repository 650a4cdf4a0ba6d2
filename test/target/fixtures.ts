import { TargetCallError } from '../../electron/core/target/errors';
import { expect } from 'vitest';
import type { PoaAccount, PoaMember } from '../../electron/core/target/poa-client';
import { type RunningSandbox, type SandboxOptions, startSandbox } from '../../electron/sandbox/sandbox';
import { spawn } from 'node:child_process';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** A sandbox of its own in a fresh directory, on free ports. */
export async function freshSandbox(options: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  return startSandbox({ dataDir: options.dataDir ?? (await tempDir('mm-sandbox-')), ...options });
}

export const address = {
  street_name: 'Hauptstr. 1',
  zipcode: '10115',
  city: 'Berlin',
  country: 'de',
  state: 'BE',
};
export const phone = { country_code: '49', area_code: '30', phone_num: '1234567', ext_num: '' };

export function customer(email = 'jane@example.com', extra: Partial<PoaAccount> = {}): PoaAccount {
  return {
    account_type: 'C',
    person: { first_name: 'Jane', last_name: 'Doe', company_name: 'Doe GmbH' },
    address,
    phone,
    email,
    ...extra,
  };
}

export function member(accountId: number, login: string, password = 'S3cret&pw'): PoaMember {
  return {
    account_id: accountId,
    auth: { login, password },
    person: { first_name: 'Jane', last_name: 'Doe' },
    address,
    phone,
    email: 'jane@example.com',
  };
}

/** Records what a client logs, as the migration log would receive it. */
export function memoryLog(): {
  lines: { level: string; message: string; details?: unknown }[];
  write(level: string, message: string, details?: unknown): Promise<void>;
} {
  const lines: { level: string; message: string; details?: unknown }[] = [];
  return {
    lines,
    write: async (level, message, details) => {
      lines.push({ level, message, details });
    },
  };
}

/** The TargetCallError a call must fail with (a success or another error fails the test). */
export async function rejection(p: Promise<unknown>): Promise<TargetCallError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(TargetCallError);
  return e as TargetCallError;
}

/** `mm sandbox start` as a process of its own: resolves with its URLs once it prints them. */
export async function sandboxProcess(dataDir: string): Promise<{
  urls: { poa: string; pba: string; web: string };
  pid: number;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}> {
  const child = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', '--data-dir', dataDir, 'sandbox', 'start', '--poa-port', '0', '--pba-port', '0'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await new Promise<{ poa: string; pba: string; web: string }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const poa = /^POA (\S+)$/m.exec(out)?.[1];
      const pba = /^PBA (\S+)$/m.exec(out)?.[1];
      const web = /^web (\S+)$/m.exec(out)?.[1];
      if (poa && pba && web) resolve({ poa, pba, web });
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
  });
  return { urls, pid: child.pid ?? 0, kill: (signal) => (child.kill(signal), exited) };
}
