/**
 * Where rehearsals live: `<project>/rehearsals/<id>/` holds the rehearsal's record
 * (rehearsal.json), what its target held (holdings.json), its journal and its batch files (the
 * rehearsal's own MigrationService venue) and, while it runs, the throwaway sandbox's state.
 * `signoffs.jsonl` is append-only (sign-offs and forced production runs); `policy.json` holds
 * the project's sign-off policy. On a shared project the records, holdings, policy and
 * sign-offs are rows in PostgreSQL (`store/file-blob.ts`, `store/line-log.ts`), so every
 * engineer sees the same rehearsals; the throwaway sandbox's state stays on the machine that
 * ran it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  HoldingCounts,
  HoldingKind,
  RehearsalOutcome,
  RehearsalRecord,
  SignOff,
  SignOffPolicy,
  TargetHolding,
} from '../../../shared/model/rehearsal';
import { MmError } from '../errors';
import { blobAt, namesUnder } from '../store/file-blob';
import { lineLogAt } from '../store/line-log';
import { openHoldingsWriter, readHoldings } from './holdings-file';

/** A production run started without a sign-off, and why. */
export interface Override {
  readonly fingerprint: string;
  readonly author: string;
  readonly at: string;
  readonly reason: string;
}

export type SignOffLine =
  ({ readonly type: 'signoff' } & SignOff) | ({ readonly type: 'override' } & Override);

/** A rehearsal as a review bundle carries it: a bundle of before has its holdings inside. */
type BundledRehearsal = RehearsalRecord & { readonly holdings?: readonly TargetHolding[] };

export const DEFAULT_POLICY: SignOffPolicy = 'after-first-rehearsal';
/** Holdings per piece when an old bundle's array is handed on like a file's. */
const PIECE = 2_000;
const ID = /^r-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$/;

async function writeAtomic(file: string, value: unknown): Promise<void> {
  await blobAt(file, { mode: 0o600 }).write(JSON.stringify(value));
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await blobAt(file).read();
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MmError('corrupt', `${file} is not valid JSON: the rehearsal's record is damaged.`, file);
  }
}

export class RehearsalStore {
  constructor(private readonly projectDir: (projectId: string) => string) {}

  root(projectId: string): string {
    return join(this.projectDir(projectId), 'rehearsals');
  }

  dir(projectId: string, id: string): string {
    if (!ID.test(id))
      throw new MmError('invalid-input', `"${id}" is not a rehearsal id (r-YYYYMMDD-HHMMSS-xxxxxx).`, 'id');
    return join(this.root(projectId), id);
  }

  async create(record: RehearsalRecord): Promise<void> {
    await mkdir(this.dir(record.projectId, record.id), { recursive: true, mode: 0o700 });
    await this.save(record);
  }

  async save(record: RehearsalRecord): Promise<void> {
    await writeAtomic(join(this.dir(record.projectId, record.id), 'rehearsal.json'), record);
  }

  /**
   * Writes holdings.json from pieces as they come (holdings-file.ts: line by line, put in place
   * atomically once all came); `each` sees every piece on its way (the counts of "create").
   */
  async saveHoldings(
    projectId: string,
    id: string,
    pieces: AsyncIterable<readonly TargetHolding[]> | Iterable<readonly TargetHolding[]>,
    each: (part: readonly TargetHolding[]) => void = () => undefined,
  ): Promise<number> {
    const writer = await openHoldingsWriter(this.holdingsFile(projectId, id));
    try {
      for await (const part of pieces) {
        each(part);
        await writer.write(part);
      }
      await writer.commit();
      return writer.count;
    } catch (e) {
      await writer.abort().catch(() => undefined);
      throw e;
    }
  }

  private holdingsFile(projectId: string, id: string): string {
    return join(this.dir(projectId, id), 'holdings.json');
  }

  /**
   * What a review bundle carried (`rehearsals/rehearsals.json`, written when a review copy is
   * opened): the rehearsals' records and the sign-off lines. A bundle of before carries each
   * rehearsal's holdings inside its record; a newer one as `rehearsals/<id>/holdings.json`.
   */
  private async bundled(
    projectId: string,
  ): Promise<{ rehearsals: BundledRehearsal[]; signoffs: SignOffLine[] }> {
    const b = await readJson<{ rehearsals?: unknown[]; signoffs?: unknown[] }>(
      join(this.root(projectId), 'rehearsals.json'),
    ).catch(() => undefined);
    const rehearsals = (b?.rehearsals ?? []).filter(
      (r): r is BundledRehearsal =>
        typeof r === 'object' &&
        r !== null &&
        ID.test(String((r as { id?: unknown }).id)) &&
        ((r as { holdings?: unknown }).holdings === undefined ||
          Array.isArray((r as { holdings?: unknown }).holdings)),
    );
    const signoffs = (b?.signoffs ?? []).filter(
      (l): l is SignOffLine =>
        typeof l === 'object' &&
        l !== null &&
        typeof (l as { fingerprint?: unknown }).fingerprint === 'string',
    );
    return { rehearsals, signoffs };
  }

  /** Every rehearsal of the project, newest first (a review copy: those its bundle carried). */
  async list(projectId: string): Promise<RehearsalRecord[]> {
    const names = await namesUnder(this.root(projectId));
    const out: RehearsalRecord[] = [];
    for (const name of names.filter((n) => ID.test(n))) {
      const r = await readJson<RehearsalRecord>(join(this.root(projectId), name, 'rehearsal.json'));
      if (r) out.push(settled(r));
    }
    // A review copy's folder of a carried rehearsal holds its holdings.json only, no record.
    const own = new Set(out.map((r) => r.id));
    for (const r of (await this.bundled(projectId)).rehearsals)
      if (!own.has(r.id)) out.push(withoutHoldings(r));
    return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async get(projectId: string, id: string): Promise<RehearsalRecord> {
    const r =
      (await readJson<RehearsalRecord>(join(this.dir(projectId, id), 'rehearsal.json'))) ??
      (await this.bundled(projectId)).rehearsals.find((x) => x.id === id);
    if (!r) throw new MmError('not-found', `There is no rehearsal ${id} in this project.`, 'id');
    return settled(withoutHoldings(r));
  }

  /**
   * The record and how many objects it holds per kind: counted when holdings.json was written,
   * or (a rehearsal of before) counted now, streaming the file. Never the holdings themselves.
   */
  async outcome(projectId: string, id: string): Promise<RehearsalOutcome> {
    const record = await this.get(projectId, id);
    return { ...record, holdingCounts: record.holdingCounts ?? (await this.countHoldings(projectId, id)) };
  }

  /**
   * What the rehearsal's target held, in pieces as holdings.json is read (or as an old bundle
   * carried them); none while it runs. The caller keeps what it needs of each piece, never all.
   */
  async holdings(projectId: string, id: string): Promise<AsyncIterable<readonly TargetHolding[]>> {
    const fromFile = await readHoldings(this.holdingsFile(projectId, id));
    if (fromFile) return fromFile;
    const carried = (await this.bundled(projectId)).rehearsals.find((x) => x.id === id)?.holdings ?? [];
    return inPieces(carried);
  }

  private async countHoldings(projectId: string, id: string): Promise<HoldingCounts> {
    const kinds: Partial<Record<HoldingKind, number>> = {};
    let total = 0;
    for await (const part of await this.holdings(projectId, id))
      for (const h of part) {
        kinds[h.kind] = (kinds[h.kind] ?? 0) + 1;
        total++;
      }
    return { total, kinds };
  }

  async signOffLines(projectId: string): Promise<SignOffLine[]> {
    const text = await this.signOffLog(projectId).text();
    if (text === undefined) return (await this.bundled(projectId)).signoffs;
    // A torn last line (a crash mid-append) is skipped, never fatal.
    return text.split('\n').flatMap((l) => {
      if (l.trim() === '') return [];
      try {
        return [JSON.parse(l) as SignOffLine];
      } catch {
        return [];
      }
    });
  }

  async appendSignOff(projectId: string, line: SignOffLine): Promise<void> {
    await this.signOffLog(projectId).append([JSON.stringify(line)]);
  }

  private signOffLog(projectId: string): ReturnType<typeof lineLogAt> {
    return lineLogAt(join(this.root(projectId), 'signoffs.jsonl'), { mode: 0o600 });
  }

  async policy(projectId: string): Promise<SignOffPolicy> {
    const p = await readJson<{ policy?: SignOffPolicy }>(join(this.root(projectId), 'policy.json'));
    return p?.policy ?? DEFAULT_POLICY;
  }

  async setPolicy(projectId: string, policy: SignOffPolicy): Promise<void> {
    await writeAtomic(join(this.root(projectId), 'policy.json'), { policy });
  }
}

function withoutHoldings(r: BundledRehearsal): RehearsalRecord {
  const { holdings: _holdings, ...record } = r;
  return record;
}

async function* inPieces(all: readonly TargetHolding[]): AsyncGenerator<readonly TargetHolding[]> {
  for (let i = 0; i < all.length; i += PIECE) {
    await Promise.resolve();
    yield all.slice(i, i + PIECE);
  }
}

/** A record still "running" whose process is gone was interrupted: it will never finish. */
export function settled(r: RehearsalRecord): RehearsalRecord {
  if (r.state !== 'running' || r.pid === undefined || r.pid === process.pid) return r;
  try {
    process.kill(r.pid, 0);
    return r;
  } catch (e) {
    // EPERM: the process exists (another user's); only ESRCH means it is gone.
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') return r;
    return {
      ...r,
      state: 'failed',
      error: 'Interrupted: the process running this rehearsal ended before it finished.',
    };
  }
}

/** r-20261130-071502-a1b2c3: sorts by time, says when. */
export function newRehearsalId(now: Date, random: string): string {
  const iso = now.toISOString();
  return `r-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${random.slice(0, 6)}`;
}
