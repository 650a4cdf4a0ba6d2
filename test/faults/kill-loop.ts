/**
 * One batch, killed again and again: `mm migrate` is started, killed with SIGKILL at the next
 * seeded point of the batch, started again, killed again … and finally left to finish. After
 * every kill the sandbox is read back (no object twice); at the end it must hold exactly what
 * an uninterrupted run made. Used by the CI case (10+ kills on the demo batch) and the soak
 * (100+ kills on a large synthetic batch).
 */
import { join } from 'node:path';
import type { RunningSandbox } from '../../electron/sandbox/sandbox';
import { runMm } from '../helpers/processes';
import { type BatchPoint, killPoints, runAndKill } from './kill';
import { duplicates, holdings, missing } from './proof';

/** The engine's words for a step it will not guess about (no look-up on the target). */
const CHECK_FIRST = /no documented look-up|check .* before retrying/;

export interface KillLoopOptions {
  readonly dataDir: string;
  readonly project: string;
  readonly sandbox: RunningSandbox;
  /** What an uninterrupted run leaves in the sandbox. */
  readonly expected: Record<string, number>;
  /** Journal lines an uninterrupted run writes. */
  readonly batchLines: number;
  readonly kills: number;
  readonly seed: number;
  /** Extra `mm migrate` options (e.g. --no-services). */
  readonly migrateArgs?: readonly string[];
  readonly say?: (line: string) => void;
}

export interface KillLoopResult {
  readonly seed: number;
  readonly points: readonly BatchPoint[];
  /** Kills that landed on a running process. */
  readonly kills: number;
  /** Runs that ended before their kill point (the batch was further along than counted). */
  readonly endedFirst: number;
  /** Rows the sandbox holds at the end. */
  readonly objects: number;
  /** Rows missing at the end, per table (those held for a manual check included). */
  readonly missingRows: readonly string[];
  /** Rows missing at the end that no failure accounts for: lost silently. */
  readonly lost: number;
  /**
   * Steps the engine would not guess about: a call cut while in flight that the target has no
   * look-up for (a balance adjustment). They end failed, saying to check the account first,
   * rather than risk making the object twice.
   */
  readonly heldForCheck: readonly string[];
  /** Objects held twice at any read-back. */
  readonly duplicated: readonly string[];
  /** The last run's exit code and state. */
  readonly finalCode: number;
  readonly finalState: string;
  readonly finalFailures: number;
}

export async function killLoop(o: KillLoopOptions): Promise<KillLoopResult> {
  const say = o.say ?? ((): void => undefined);
  const journal = join(o.dataDir, 'projects', o.project, 'migration', 'journal.jsonl');
  const args = [
    'migrate',
    '--json',
    '--data-dir',
    o.dataDir,
    '--project',
    o.project,
    ...(o.migrateArgs ?? []),
  ];
  const points = killPoints(o.seed, o.kills, o.batchLines);
  say(`seed ${o.seed}: ${o.kills} kill points at journal lines ${points.map((p) => p.line).join(', ')}`);
  let written = 0;
  let kills = 0;
  let endedFirst = 0;
  const duplicated = new Set<string>();
  for (const [i, point] of points.entries()) {
    const r = await runAndKill(args, journal, {
      lines: Math.max(1, point.line - written),
      delayMs: point.delayMs,
    });
    written += r.linesSeen;
    if (r.killed) kills++;
    else endedFirst++;
    const dupes = duplicates(o.sandbox);
    for (const d of dupes) duplicated.add(d);
    const held = Object.values(holdings(o.sandbox)).reduce((a, b) => a + b, 0);
    say(
      `kill ${i + 1}/${points.length} at line ${point.line} +${point.delayMs} ms: ${r.killed ? 'killed' : `ended first (exit ${r.code})`}, ${r.linesSeen} lines this run; sandbox ${held} rows, ${dupes.length} twice`,
    );
  }
  const last = await runMm(args);
  let finalState = 'no JSON';
  let finalFailures = -1;
  let heldForCheck: string[] = [];
  try {
    const parsed = JSON.parse(last.stdout) as {
      state: string;
      failures: readonly { step: string; message: string }[];
    };
    finalState = parsed.state;
    finalFailures = parsed.failures.length;
    heldForCheck = parsed.failures.filter((f) => CHECK_FIRST.test(f.message)).map((f) => f.step);
  } catch {
    say(`the last run printed no JSON (exit ${last.code}): ${last.stderr.trim()}`);
  }
  for (const d of duplicates(o.sandbox)) duplicated.add(d);
  const got = holdings(o.sandbox);
  const missingRows = missing(got, o.expected);
  const short = Object.entries(o.expected).reduce((n, [t, m]) => n + Math.max(0, m - (got[t] ?? 0)), 0);
  const lost = Math.max(0, short - heldForCheck.length);
  const objects = Object.values(got).reduce((a, b) => a + b, 0);
  say(
    `final run: exit ${last.code}, ${finalState}; ${kills} kills, ${objects} rows held${missingRows.length > 0 ? ` (${missingRows.join('; ')})` : ''}, ${heldForCheck.length} held for a manual check, lost ${lost}, duplicated ${duplicated.size}`,
  );
  return {
    seed: o.seed,
    points,
    kills,
    endedFirst,
    objects,
    missingRows,
    lost,
    heldForCheck,
    duplicated: [...duplicated],
    finalCode: last.code,
    finalState,
    finalFailures,
  };
}
