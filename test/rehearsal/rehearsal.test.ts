/**
 * Rehearsal end to end, on real parts: the demo's Debian hosting layout behind a real sshd,
 * inventoried, mapped, verified (test/migration/env.ts); a second sandbox stands for the
 * project's real (production) target. `mm migrate --rehearse` must leave that target untouched
 * (its whole state compared before and after), report exactly what its own throwaway sandbox
 * held, refuse the production run until a rehearsal of the same plan is signed off (naming both
 * fingerprints and what changed), show a changed selection in the diff, and — once signed off —
 * the production run must create exactly what the rehearsal said it would.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../shared/model/inventory';
import type { RehearsalRecord, TargetHolding } from '../../shared/model/rehearsal';
import { createCore } from '../../electron/core/core';
import { maskSecrets } from '../../electron/core/log/mask';
import type { StartThrowawayTarget } from '../../electron/core/rehearsal/throwaway-target';
import { SEED_PLANS, SEED_TEMPLATES } from '../../electron/sandbox/catalogue';
import { holdingsOf, startRehearsalSandbox } from '../../electron/sandbox/rehearsal-target';
import type { RunningSandbox, SandboxState } from '../../electron/sandbox/sandbox';
import { REPO_ROOT, tempDir } from '../helpers/paths';
import { isGone, throwawayChildrenOf } from './processes';
import {
  hasJournal,
  readJournalEntries,
  readProjectText,
  removeProjectFolder,
} from '../helpers/store-under-test';
import { PROJECT, SERVER, freshRun, mm, mmOk, parseMigrate } from '../migration/env';
import { type SharedSource, sharedSource } from '../migration/shared-source';

/** A report's text, from its pieces as the download writes them. */
async function textOf(report: { pieces: AsyncIterable<string> | Iterable<string> }): Promise<string> {
  let text = '';
  for await (const piece of report.pieces) text += piece;
  return text;
}

interface RehearseJson {
  rehearsalId: string;
  fingerprint: string;
  state: string;
  objects: { total: number; migrated: number; failed: number };
  create: Record<string, number>;
  cannotCarry: { object: string; step: string; message: string }[];
  failures: { object: string; step: string; message: string }[];
  catalogue: { fromRealTarget: boolean; templates: number; plans: number; problem?: string };
  content: boolean;
}

/** The production target's catalogue differs from the seed: one more template, so copying shows. */
const PRODUCTION_CATALOGUE = {
  templates: [
    ...SEED_TEMPLATES,
    { service_template_id: 990, name: 'Production only', owner_id: 1, active: true, resources: [] },
  ],
  plans: SEED_PLANS,
};

function snapshot(sandbox: RunningSandbox): string {
  return JSON.stringify(sandbox.state());
}

const keys = (h: readonly TargetHolding[]): string[] => h.map((x) => x.key).sort();

/** Every holding of a rehearsal, streamed from its holdings.json (fine at this size). */
async function allHoldings(core: ReturnType<typeof createCore>, id: string): Promise<TargetHolding[]> {
  const out: TargetHolding[] = [];
  for await (const part of await core.rehearsals.holdings(PROJECT, id)) out.push(...part);
  return out;
}

let source: SharedSource;
beforeAll(async () => {
  source = await sharedSource();
}, 300_000);
afterAll(async () => {
  await source?.stop();
});

describe('mm migrate --rehearse: a throwaway sandbox, a plan to sign, the gate of the real run', () => {
  let run: { dataDir: string; sandbox: RunningSandbox };
  let inventory: Inventory;
  let productionBefore: string;
  let first: RehearseJson;
  let firstCode: number;
  /** What the in-process rehearsal's sandbox held when it was read back. */
  let captured: SandboxState | undefined;
  const capturing: StartThrowawayTarget = async (options) => {
    const { target, sandbox } = await startRehearsalSandbox(options);
    return {
      ...target,
      holdings: () => {
        captured = sandbox.state();
        return target.holdings();
      },
    };
  };

  beforeAll(async () => {
    run = await freshRun(source, { asyncMs: 20, catalogue: PRODUCTION_CATALOGUE });
    inventory = (await createCore({ dataDir: run.dataDir, shell: 'test' }).inventory.load(
      PROJECT,
      SERVER,
    )) as Inventory;
    productionBefore = snapshot(run.sandbox);
    const r = await mm(run.dataDir, ['migrate', '--rehearse', '--json']);
    firstCode = r.code;
    first = JSON.parse(r.stdout) as RehearseJson;
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
  });

  it('rehearses every object of the source, with the catalogue of the real target', () => {
    expect(first.failures).toEqual([]);
    expect(first.state).toBe('done');
    expect(firstCode).toBe(0);
    expect(first.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(first.objects.migrated).toBe(first.objects.total);
    expect(first.objects.total).toBe(inventory.accounts.length + inventory.domains.length);
    expect(first.create['accounts']).toBe(inventory.accounts.length);
    expect(first.create['domains']).toBe(inventory.domains.length);
    expect(first.create['mailboxes']).toBeGreaterThan(0);
    expect(first.catalogue).toEqual({
      fromRealTarget: true,
      templates: PRODUCTION_CATALOGUE.templates.length,
      plans: PRODUCTION_CATALOGUE.plans.length,
    });
  });

  it('never wrote to the real target, and left no sandbox running or on disk', async () => {
    expect(snapshot(run.sandbox)).toBe(productionBefore);
    const dir = join(run.dataDir, 'projects', PROJECT, 'rehearsals', first.rehearsalId);
    const record = JSON.parse(await readProjectText(join(dir, 'rehearsal.json'))) as RehearsalRecord;
    expect(record.state).toBe('done');
    await expect(readdir(join(dir, 'sandbox'))).rejects.toThrow();
    // The rehearsal's own journal, never production's.
    expect((await readJournalEntries(join(dir, 'journal.jsonl'))).length).toBeGreaterThan(0);
    expect(await hasJournal(join(run.dataDir, 'projects', PROJECT, 'migration', 'journal.jsonl'))).toBe(
      false,
    );
  });

  it('refuses the production run before a sign-off, naming the fingerprint', async () => {
    const refused = await mm(run.dataDir, ['migrate', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(first.fingerprint);
    expect(refused.stderr).toContain('no signed-off rehearsal');
    expect(snapshot(run.sandbox)).toBe(productionBefore);
  });

  it('after a sign-off, a changed selection changes the fingerprint, the diff and the refusal', async () => {
    const signed = JSON.parse(
      (await mmOk(run.dataDir, ['rehearsal', 'signoff', '--comment', 'checked the counts', '--json'])).stdout,
    ) as { rehearsalId: string; fingerprint: string; author: string; comment: string };
    expect(signed).toMatchObject({
      rehearsalId: first.rehearsalId,
      fingerprint: first.fingerprint,
      comment: 'checked the counts',
    });
    // The sign-off is in the project's log (its history) with who and which plan.
    const log = await readProjectText(join(run.dataDir, 'projects', PROJECT, 'migration-log.jsonl'));
    expect(log).toContain(`Rehearsal ${first.rehearsalId} signed off by ${signed.author}`);

    // Unselect one domain of an account that keeps another one.
    const byAccount = new Map<string, string[]>();
    for (const d of inventory.domains)
      byAccount.set(d.accountId, [...(byAccount.get(d.accountId) ?? []), d.name]);
    const dropped =
      [...byAccount.values()].find((names) => names.length > 1)?.[0] ?? inventory.domains[0]?.name;
    expect(dropped).toBeDefined();
    await mmOk(run.dataDir, ['select', 'domains', String(dropped), '--remove']);

    // Rehearse again in-process, keeping the rehearsal sandbox's state to compare with the report.
    const core = createCore({ dataDir: run.dataDir, shell: 'test', throwawayTarget: capturing });
    const second = await (await core.rehearsals.start(PROJECT, { asyncMs: 20 })).done;
    expect(second.state).toBe('done');
    expect(second.fingerprint).not.toBe(first.fingerprint);

    // The report lists exactly what the rehearsal sandbox held.
    const state = captured as SandboxState;
    expect(state).toBeDefined();
    const outcome = await core.rehearsals.outcome(PROJECT, second.id);
    const held = await allHoldings(core, second.id);
    expect(outcome.holdingCounts.total).toBe(held.length);
    // A page at a time, as the Migration page reads them: the pages together are the whole, in
    // order; a kind and a search filter them in the core, counting what matches.
    const paged: TargetHolding[] = [];
    for (let offset = 0; ; offset += 50) {
      const page = await core.rehearsals.holdingsPage(PROJECT, second.id, { offset, limit: 50 });
      expect([page.matched, page.total]).toEqual([held.length, held.length]);
      paged.push(...page.rows);
      if (page.rows.length < 50) break;
    }
    expect(paged).toEqual(held);
    const mailboxes = await core.rehearsals.holdingsPage(PROJECT, second.id, {
      kind: 'mailbox',
      offset: 1,
      limit: 1_000,
    });
    expect(mailboxes.matched).toBe(outcome.holdingCounts.kinds.mailbox);
    expect(mailboxes.rows).toEqual(held.filter((h) => h.kind === 'mailbox').slice(1));
    const someDomain = held.find((h) => h.kind === 'domain')?.name ?? '';
    const searched = await core.rehearsals.holdingsPage(PROJECT, second.id, {
      search: someDomain.toUpperCase(),
      offset: 0,
      limit: 1_000,
    });
    const q = someDomain.toLowerCase();
    const found = held.filter(
      (h) => h.name.toLowerCase().includes(q) || (h.owner ?? '').toLowerCase().includes(q),
    );
    expect(found.length).toBeGreaterThan(1);
    expect(searched).toEqual({ rows: found, matched: found.length, total: held.length });
    const tables: [string, string][] = [
      ['account', 'pbaAccounts'],
      ['member', 'members'],
      ['subscription', 'pbaSubscriptions'],
      ['domain', 'domains'],
      ['dns-record', 'dnsRecords'],
      ['mailbox', 'mailboxes'],
      ['forward', 'forwardings'],
      ['alias', 'aliases'],
      ['database', 'databases'],
      ['ftp-user', 'ftpUsers'],
    ];
    const c = outcome.create as NonNullable<typeof outcome.create>;
    expect(c.domains + c.subdomains + c.pointers).toBe((state['domains'] ?? []).length);
    for (const [kind, table] of tables)
      expect([kind, held.filter((h) => h.kind === kind).length]).toEqual([kind, (state[table] ?? []).length]);
    // Everything but content (read back from the transfers' verified outcomes) is the sandbox's.
    const provisioned = held.filter((h) => h.kind !== 'content');
    expect(keys(provisioned)).toEqual(keys(holdingsOf(state)));
    // Content went to the rehearsal sandbox's own nodes, verified: files and bytes per step.
    const content = held.filter((h) => h.kind === 'content');
    expect(content.length).toBeGreaterThan(0);
    expect(outcome.create?.files).toBe(content.reduce((n, h) => n + Number(h.fields['files']), 0));
    expect(outcome.create?.bytes).toBeGreaterThan(0);
    const csv = await textOf(await core.rehearsals.reportStream(PROJECT, 'csv', second.id));
    expect(csv.trim().split('\n').length - 1).toBe(
      held.length + (outcome.failures?.length ?? 0) + (outcome.cannotCarry?.length ?? 0),
    );
    const html = await textOf(await core.rehearsals.reportStream(PROJECT, 'html', second.id));
    expect(html).toContain(second.fingerprint);

    // The diff: the dropped domain and what lived in it are removed; nothing is added.
    const diff = await core.rehearsals.diff(PROJECT, second.id);
    expect(diff.from?.id).toBe(first.rehearsalId);
    expect(diff.added).toEqual([]);
    expect(diff.removed.map((h) => h.key)).toContain(`domain ${String(dropped).toLowerCase()}`);
    expect(diff.removed.every((h) => h.owner !== undefined)).toBe(true);
    expect(diff.counts.removed).toBe(diff.removed.length);
    expect(held.some((h) => h.key === `domain ${String(dropped).toLowerCase()}`)).toBe(false);

    // The production run is refused: the new plan is not signed off; both fingerprints named,
    // and what changed since the signed-off rehearsal.
    const refused = await mm(run.dataDir, ['migrate', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(second.fingerprint);
    expect(refused.stderr).toContain(first.fingerprint);
    expect(refused.stderr).toContain('the selection');
    expect(snapshot(run.sandbox)).toBe(productionBefore);

    // Signed off, the real run goes, and creates exactly what the rehearsal said it would.
    // (Content steps need target nodes this test does not set up: they are left out here.)
    await mmOk(run.dataDir, ['rehearsal', 'signoff', second.id]);
    const status = JSON.parse((await mmOk(run.dataDir, ['rehearsal', 'status', '--json'])).stdout) as {
      required: boolean;
      fingerprint: string;
      signOff: { rehearsalId: string } | null;
    };
    expect(status).toMatchObject({
      required: true,
      fingerprint: second.fingerprint,
      signOff: { rehearsalId: second.id },
    });
    const exported = JSON.parse(
      (await mmOk(run.dataDir, ['rehearsal', 'export', second.id, '--format', 'json'])).stdout,
    ) as { holdings: unknown[]; diff: { removed: unknown[] } };
    expect(exported.holdings).toEqual(held);
    expect(exported.diff.removed).toHaveLength(diff.removed.length);
    const migrate = await mm(run.dataDir, ['migrate', '--json']);
    expect(migrate.stderr).not.toContain('no signed-off rehearsal');
    const result = parseMigrate(migrate);
    expect(result.jobId).toBeTruthy();
    expect(
      result.failures.filter((f) => !/content|messages of|node/i.test(`${f.step} ${f.message}`)),
    ).toEqual([]);
    const production = holdingsOf(run.sandbox.state());
    expect(keys(production)).toEqual(keys(provisioned));
    for (const [kind, r] of Object.entries(result.reconciliation ?? {}))
      expect([kind, r.found]).toEqual([
        kind,
        outcome.create?.[kind as keyof NonNullable<typeof outcome.create>],
      ]);
  }, 300_000);
});

describe('rehearsal without a reachable real target, and --force', () => {
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    run = await freshRun(source, { asyncMs: 0 });
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
  });

  it('a rehearsal killed mid-batch is shown interrupted, cannot be signed off, and wrote nothing real', async () => {
    const before = snapshot(run.sandbox);
    const root = join(run.dataDir, 'projects', PROJECT, 'rehearsals');
    const child = spawn(
      process.execPath,
      ['electron/cli/mm.mjs', 'migrate', '--rehearse', '--json', '--data-dir', run.dataDir],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      },
    );
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    // Killed once its journal holds a first outcome: the batch is under way.
    const journalHasOutcome = async (): Promise<boolean> => {
      for (const name of await readdir(root).catch(() => [] as string[])) {
        const entries = await readJournalEntries(join(root, name, 'journal.jsonl')).catch(() => []);
        if (entries.some((e) => e['t'] === 'outcome')) return true;
      }
      return false;
    };
    await expect.poll(journalHasOutcome, { timeout: 120_000, interval: 20 }).toBe(true);
    // its throwaway sandbox runs in a child of its own, which must not outlive it
    const sandboxes = await throwawayChildrenOf(child.pid as number);
    expect(sandboxes).toHaveLength(1);
    child.kill('SIGKILL');
    await closed;
    await expect.poll(() => isGone(sandboxes[0] as number), { timeout: 15_000, interval: 50 }).toBe(true);
    const listed = JSON.parse((await mmOk(run.dataDir, ['rehearsal', 'list', '--json'])).stdout) as {
      rehearsalId: string;
      state: string;
      error?: string;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('Interrupted') });
    const refused = await mm(run.dataDir, ['rehearsal', 'signoff', String(listed[0]?.rehearsalId)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('only a rehearsal that migrated everything can be signed off');
    expect(snapshot(run.sandbox)).toBe(before);
    // Not part of the next test's story (its records are rows on the PostgreSQL store).
    await removeProjectFolder(root);
  }, 300_000);

  it('uses the sandbox catalogue and says so; --force runs with the reason recorded', async () => {
    const inventory = (await createCore({ dataDir: run.dataDir, shell: 'test' }).inventory.load(
      PROJECT,
      SERVER,
    )) as Inventory;
    const domain = inventory.domains[0]?.name as string;
    const before = snapshot(run.sandbox);
    // The real target unreachable for the rehearsal: a closed port.
    const core = createCore({
      dataDir: run.dataDir,
      shell: 'test',
      throwawayTarget: startRehearsalSandboxTarget,
    });
    const project = await core.projects.read(PROJECT);
    const dead = 'http://127.0.0.1:9/RPC2';
    await core.target.set(PROJECT, { poaUrl: dead, pbaUrl: dead });
    const r = await (await core.rehearsals.start(PROJECT, { domains: [domain], content: false })).done;
    expect(r.catalogue?.fromRealTarget).toBe(false);
    expect(r.catalogue?.problem).toBeTruthy();
    expect(r.state).toBe('done');
    expect(r.content).toBe(false);
    const text = (await mmOk(run.dataDir, ['rehearsal', 'show', r.id])).stdout;
    expect(text).toContain('Catalogue not from the real target');
    // Back to the production sandbox; the policy: always required.
    await core.target.set(PROJECT, {
      poaUrl: project.target?.poa?.url ?? '',
      pbaUrl: project.target?.pba?.url ?? '',
    });
    await mmOk(run.dataDir, ['rehearsal', 'policy', 'required']);
    const refused = await mm(run.dataDir, ['migrate', '--domains', domain, '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(snapshot(run.sandbox)).toBe(before);
    const forced = await mm(run.dataDir, [
      'migrate',
      '--domains',
      domain,
      '--force',
      'change window closes',
      '--json',
    ]);
    expect(forced.stderr).not.toContain('no signed-off rehearsal');
    expect(parseMigrate(forced).jobId).toBeTruthy();
    const lines = (
      await readProjectText(join(run.dataDir, 'projects', PROJECT, 'rehearsals', 'signoffs.jsonl'))
    )
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ type: 'override', reason: 'change window closes' })]);
    expect(snapshot(run.sandbox)).not.toBe(before);

    // A review bundle carries the rehearsal, object by object, for a reviewer offline.
    const bundle = join(await tempDir('mm-rehearsal-bundle-'), 'review.mmbundle');
    await mmOk(run.dataDir, ['project', 'export', bundle]);
    const reviewer = await tempDir('mm-rehearsal-reviewer-');
    await mmOk(reviewer, ['project', 'open', bundle]);
    const listed = JSON.parse((await mmOk(reviewer, ['rehearsal', 'list', '--json'])).stdout) as {
      rehearsalId: string;
    }[];
    expect(listed.map((x) => x.rehearsalId)).toEqual([r.id]);
    const shown = JSON.parse((await mmOk(reviewer, ['rehearsal', 'show', r.id, '--json'])).stdout) as {
      holdings: unknown[];
    };
    const original = await allHoldings(core, r.id);
    // masked holding by holding on the way out (a secret-looking field would read "***")
    expect(shown.holdings).toEqual(original.map((h) => maskSecrets(h)));
    expect(original.length).toBeGreaterThan(0);
  }, 300_000);
});

describe('mm migrate --rehearse runs its throwaway sandbox in a process of its own', () => {
  let run: { dataDir: string; sandbox: RunningSandbox };

  beforeAll(async () => {
    run = await freshRun(source, { asyncMs: 0 });
  }, 300_000);

  afterAll(async () => {
    await run?.sandbox.close();
  });

  it('another pid, the holdings read back from it, gone when the rehearsal ends', async () => {
    const mmProcess = spawn(
      process.execPath,
      ['electron/cli/mm.mjs', 'migrate', '--rehearse', '--json', '--data-dir', run.dataDir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    mmProcess.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let ended = false;
    const closed = new Promise<number>((r) =>
      mmProcess.once('close', (code) => {
        ended = true;
        r(code ?? -1);
      }),
    );
    // every throwaway sandbox seen under the CLI while it rehearses
    const seen = new Set<number>();
    while (!ended) {
      for (const pid of await throwawayChildrenOf(mmProcess.pid as number)) seen.add(pid);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await closed).toBe(0);
    const result = JSON.parse(stdout) as RehearseJson;
    expect(result.state).toBe('done');
    expect(seen.size).toBe(1);
    const [sandboxPid] = [...seen] as [number];
    expect(sandboxPid).not.toBe(mmProcess.pid);
    expect(await isGone(sandboxPid)).toBe(true);
    // what it held came back through the channel, object by object
    const shown = JSON.parse(
      (await mmOk(run.dataDir, ['rehearsal', 'show', result.rehearsalId, '--json'])).stdout,
    ) as {
      holdings: TargetHolding[];
    };
    expect(shown.holdings.filter((h) => h.kind === 'domain').length).toBe(
      (result.create['domains'] ?? 0) + (result.create['subdomains'] ?? 0) + (result.create['pointers'] ?? 0),
    );
    expect(shown.holdings.length).toBeGreaterThan(result.objects.total);
  }, 300_000);
});

const startRehearsalSandboxTarget: StartThrowawayTarget = async (options) =>
  (await startRehearsalSandbox(options)).target;
