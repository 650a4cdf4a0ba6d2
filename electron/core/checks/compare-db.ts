/**
 * The database check, pure: each database of the source against the target's — present, the
 * same tables, each table's row count and checksum (a checksum over the table's rows in a
 * fixed order, computed by the database server itself on each side).
 */
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import { count, fail, resultOf, warn } from './result';

export interface TableFact {
  readonly rows: number;
  readonly checksum: string;
}

export interface DatabaseEvidence {
  readonly name: string;
  /** false: the database does not exist there. */
  readonly present: boolean;
  /**
   * Table name → facts. Undefined with `unreadable`: the content should be compared and could
   * not be read (a warning); undefined without: the migration did not carry the content, so
   * only the database's presence is compared.
   */
  readonly tables?: ReadonlyMap<string, TableFact>;
  readonly unreadable?: string;
}

function databaseDifferences(s: DatabaseEvidence, t: DatabaseEvidence | undefined): CheckDifference[] {
  const db = `database ${s.name}`;
  if (!t?.present) return [fail(db, 'missing on the target')];
  if (!s.tables || !t.tables) {
    const why = s.unreadable ?? t.unreadable;
    return why ? [warn(db, `content not compared: ${why}`)] : [];
  }
  const out: CheckDifference[] = [];
  for (const [name, st] of s.tables) {
    const tt = t.tables.get(name);
    const table = `${db} table ${name}`;
    if (!tt) out.push(fail(table, 'missing on the target'));
    else if (tt.rows !== st.rows)
      out.push(fail(table, `${count(st.rows, 'row')} on the source, ${count(tt.rows, 'row')} on the target`));
    else if (tt.checksum !== st.checksum)
      out.push(fail(table, 'same row count, different content (checksum)'));
  }
  for (const name of t.tables.keys())
    if (!s.tables.has(name)) out.push(warn(`${db} table ${name}`, 'on the target only'));
  return out;
}

export function compareDb(
  source: readonly DatabaseEvidence[],
  target: readonly DatabaseEvidence[],
): CheckResult {
  const byName = new Map(target.map((t) => [t.name, t]));
  const differences = source.flatMap((s) => databaseDifferences(s, byName.get(s.name)));
  const tables = source.reduce((n, s) => n + (s.tables?.size ?? 0), 0);
  if (source.length === 0) return resultOf('db', [], 'no database to compare');
  return resultOf(
    'db',
    differences,
    `${count(source.length, 'database')} present${tables > 0 ? `; ${count(tables, 'table')} with their row counts and checksums match` : ''}`,
  );
}
