/** A file project moved into a PostgreSQL database from the app (issue 15). */
export interface ProjectMoveResult {
  readonly projectId: string;
  readonly name: string;
  /** postgres://user@host:port/database (never a password) */
  readonly address: string;
  /** Documents and journal entries now kept as rows there. */
  readonly documents: number;
  readonly journalEntries: number;
  /** Where the moved files were set aside (kept, never read again). */
  readonly setAside: string;
}
