import type { RuleSource } from '../shared/statuses';

/** Where a rule's wording comes from, as a reader can look it up. */
export function citation(source: RuleSource): string {
  switch (source) {
    case 'seed':
      return 'POA migration guide, verification tables';
    case 'poa-guide':
      return 'POA migration guide';
    case 'target-api':
      return 'POA/PBA API reference';
    case 'mm':
      return 'Migration Manager';
  }
}
