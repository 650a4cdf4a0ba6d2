/** One event in the life of an account, domain, subscription or template (SPEC R10). */
export interface HistoryEntry {
  readonly time: string;
  readonly source: 'inventory' | 'verification' | 'decision' | 'comment' | 'migration' | 'check';
  readonly title: string;
  readonly detail?: string;
  /** Who did it, for decisions and comments. */
  readonly by?: string;
}

export type HistoryObjectKind = 'account' | 'domain' | 'subscription' | 'template';
