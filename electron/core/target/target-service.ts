/**
 * A project's target: its settings (project.json, passwords in the secret store), clients that
 * log every call to the project's migration log, the connection test and the target browser.
 */
import type {
  TargetBrowse,
  TargetCheck,
  TargetEndpointView,
  TargetTestResult,
  TargetView,
} from '../../../shared/model/target';
import { MmError, toAppError } from '../errors';
import { assertNotReviewCopy } from '../review/review-service';
import type { ProjectService } from '../project/project-service';
import type { SecretStore } from '../secrets/secret-store';
import type { CallLog, ClientOptions } from './call-runner';
import { type Endpoint, normalizeFingerprint } from './http-transport';
import { PbaClient } from './pba-client';
import { PoaClient } from './poa-client';
import { browseSandbox } from './sandbox-inspect';
import { type ProjectTarget, type TargetSide, targetSecretName } from './target-settings';

/** A change to the target; absent fields stay as they are, "" clears. */
export interface TargetUpdate {
  readonly poaUrl?: string;
  readonly poaUser?: string;
  readonly poaPassword?: string;
  readonly pbaUrl?: string;
  readonly pbaUser?: string;
  readonly pbaPassword?: string;
  readonly tlsFingerprint?: string;
  readonly sandbox?: boolean;
}

export interface TargetDeps {
  readonly projects: ProjectService;
  readonly secrets: SecretStore;
  log(projectId: string): CallLog;
}

export class TargetService {
  constructor(
    private readonly deps: TargetDeps,
    private readonly clientOptions: ClientOptions = {},
  ) {}

  async get(projectId: string): Promise<TargetView> {
    const target = (await this.deps.projects.read(projectId)).target ?? {};
    const view = async (side: TargetSide): Promise<TargetEndpointView | null> => {
      const e = target[side];
      if (!e) return null;
      return {
        url: e.url,
        user: e.user,
        hasPassword: (await this.deps.secrets.get(targetSecretName(projectId, side))) !== undefined,
      };
    };
    return {
      projectId,
      poa: await view('poa'),
      pba: await view('pba'),
      tlsFingerprint: target.tlsFingerprint ? formatFingerprint(target.tlsFingerprint) : null,
      sandbox: target.sandbox === true,
    };
  }

  async set(projectId: string, update: TargetUpdate): Promise<TargetView> {
    const { projects, secrets } = this.deps;
    // The project must be readable and writable, then the secrets go first: a damaged secret
    // store fails the command before anything is saved.
    await assertNotReviewCopy(projects, projectId, 'changing the target');
    for (const [side, password] of [
      ['poa', update.poaPassword],
      ['pba', update.pbaPassword],
    ] as const) {
      if (password === undefined) continue;
      const name = targetSecretName(projectId, side);
      if (password === '') await secrets.delete(name);
      else await secrets.set(name, password);
    }
    await projects.update(projectId, (draft) => {
      const target: ProjectTarget = { ...(draft.target ?? {}) };
      applySide(target, 'poa', update.poaUrl, update.poaUser);
      applySide(target, 'pba', update.pbaUrl, update.pbaUser);
      if (update.tlsFingerprint !== undefined) {
        if (update.tlsFingerprint === '') delete target.tlsFingerprint;
        else target.tlsFingerprint = formatFingerprint(update.tlsFingerprint);
      }
      if (update.sandbox !== undefined) target.sandbox = update.sandbox;
      return { ...draft, target };
    });
    const view = await this.get(projectId);
    await this.deps.log(projectId).write('info', 'Target settings changed', {
      poa: view.poa ? { url: view.poa.url, user: view.poa.user } : null,
      pba: view.pba ? { url: view.pba.url, user: view.pba.user } : null,
      tlsFingerprint: view.tlsFingerprint,
    });
    return view;
  }

  /** The endpoint of one side, with its password, for a client. */
  async endpoint(projectId: string, side: TargetSide): Promise<Endpoint> {
    await assertNotReviewCopy(this.deps.projects, projectId, 'calling the target');
    const target = (await this.deps.projects.read(projectId)).target ?? {};
    const e = target[side];
    if (!e) {
      throw new MmError(
        'target-not-configured',
        `The project has no ${side.toUpperCase()} target yet: set it with "mm target set" or on the Target page.`,
        side,
      );
    }
    const password = await this.deps.secrets.get(targetSecretName(projectId, side));
    return {
      url: e.url,
      ...(e.user ? { user: e.user } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(target.tlsFingerprint ? { tlsFingerprint: target.tlsFingerprint } : {}),
    };
  }

  async poa(projectId: string): Promise<PoaClient> {
    return new PoaClient(await this.endpoint(projectId, 'poa'), {
      ...this.clientOptions,
      log: this.deps.log(projectId),
    });
  }

  async pba(projectId: string): Promise<PbaClient> {
    return new PbaClient(await this.endpoint(projectId, 'pba'), {
      ...this.clientOptions,
      log: this.deps.log(projectId),
    });
  }

  /** Both clients, for the migration's target adapter. */
  async clients(projectId: string): Promise<{ poa: PoaClient; pba: PbaClient }> {
    return { poa: await this.poa(projectId), pba: await this.pba(projectId) };
  }

  /** "Test connection": lists the POA service templates and the PBA service plans. */
  async test(projectId: string): Promise<TargetTestResult> {
    const [poa, pba] = await Promise.all([
      check(async () => (await this.poa(projectId)).getServiceTemplateList()),
      check(async () => (await this.pba(projectId)).servicePlans()),
    ]);
    return { poa, pba };
  }

  async browse(projectId: string): Promise<TargetBrowse> {
    return browseSandbox(await this.endpoint(projectId, 'poa'));
  }
}

function applySide(
  target: ProjectTarget,
  side: TargetSide,
  url: string | undefined,
  user: string | undefined,
): void {
  if (url === '') {
    delete target[side];
    return;
  }
  const current = target[side];
  if (url === undefined && current === undefined) {
    if (user !== undefined)
      throw new MmError('invalid-input', `Set the ${side.toUpperCase()} URL before its user.`, `${side}Url`);
    return;
  }
  target[side] = { url: url ?? current?.url ?? '', user: user ?? current?.user ?? '' };
}

/** "ab:cd…" / "ABCD…" → "AB:CD:…", the way openssl and browsers show it. */
export function formatFingerprint(fp: string): string {
  return (normalizeFingerprint(fp).match(/../g) ?? []).join(':');
}

async function check<T>(run: () => Promise<readonly T[]>): Promise<TargetCheck<T>> {
  const started = Date.now();
  try {
    return { ok: true, items: await run(), ms: Date.now() - started };
  } catch (e) {
    return { ok: false, items: [], error: toAppError(e).message, ms: Date.now() - started };
  }
}
