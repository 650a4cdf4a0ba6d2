/**
 * The users check, pure: every login the source has for the domain — mailboxes, FTP users,
 * database users — exists on the target (read back through the target's API).
 */
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import { count, fail, resultOf, warn } from './result';

export interface Logins {
  readonly mailboxes: readonly string[];
  readonly ftp: readonly string[];
  readonly database: readonly string[];
}

const WHAT: Readonly<Record<keyof Logins, string>> = {
  mailboxes: 'mailbox',
  ftp: 'FTP user',
  database: 'database user',
};

/**
 * `notCarried` holds what the migration itself named not carried ("FTP user acme" → why): such
 * a login missing on the target is a warning with the migration's reason, not a failure.
 */
export function compareUsers(
  source: Logins,
  target: Logins | { readonly error: string },
  notCarried: ReadonlyMap<string, string> = new Map(),
): CheckResult {
  const differences: CheckDifference[] = [];
  const total = source.mailboxes.length + source.ftp.length + source.database.length;
  if ('error' in target) {
    differences.push(fail('logins', `the target's API did not list them: ${target.error}`));
    return resultOf('users', differences, '');
  }
  for (const kind of Object.keys(WHAT) as (keyof Logins)[]) {
    const there = new Set(target[kind].map((l) => l.toLowerCase()));
    for (const login of source[kind]) {
      if (there.has(login.toLowerCase())) continue;
      const object = `${WHAT[kind]} ${login}`;
      const why = notCarried.get(object);
      differences.push(
        why
          ? warn(object, `not on the target: the migration did not carry it (${why})`)
          : fail(object, 'missing on the target'),
      );
    }
  }
  if (total === 0) return resultOf('users', [], 'no login to compare');
  return resultOf(
    'users',
    differences,
    `${count(total, 'login')} ${total === 1 ? 'exists' : 'exist'} on the target`,
  );
}
