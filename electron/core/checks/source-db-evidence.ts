/**
 * A source database's evidence from its agent (`--extract=databaseEvidence`,
 * agents/lib/MigrationAgent/DbEvidence.pm): its tables, each one's rows and checksum, computed
 * by the same SQL the target's db node runs (db-evidence.ts). Read by the db check, and by
 * re-sync to tell whether a database changed since it was restored.
 */
import { Writable } from 'node:stream';
import type { OpenedServer } from '../servers/server-service';
import type { TableFact } from './compare-db';

export async function sourceDatabaseEvidence(
  opened: OpenedServer,
  domainId: string,
  contentId: string,
  signal?: AbortSignal,
): Promise<Map<string, TableFact>> {
  if (!opened.agent.stream) throw new Error(`${opened.agent.label} cannot stream an agent's answer (SOAP)`);
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  await opened.agent.stream(
    ['--extract=databaseEvidence', `--domain-id=${domainId}`, `--content-id=${contentId}`],
    out,
    {
      timeoutMs: 60 * 60 * 1000,
      ...(signal ? { signal } : {}),
    },
  );
  const doc = JSON.parse(Buffer.concat(parts).toString('utf8')) as {
    tables?: { table: string; rows: number; checksum: string }[];
  };
  if (!Array.isArray(doc.tables)) throw new Error('the agent answered no table list');
  return new Map(doc.tables.map((t) => [t.table, { rows: Number(t.rows), checksum: String(t.checksum) }]));
}

/** Same tables, each with the same rows and checksum. */
export function sameEvidence(a: ReadonlyMap<string, TableFact>, b: ReadonlyMap<string, TableFact>): boolean {
  if (a.size !== b.size) return false;
  for (const [table, f] of a) {
    const g = b.get(table);
    if (!g || g.rows !== f.rows || g.checksum !== f.checksum) return false;
  }
  return true;
}
