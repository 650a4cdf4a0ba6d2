import { userInfo } from 'node:os';

/** Who made a decision when the caller does not say: the operating system's user name. */
export function osAuthor(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    // userInfo throws when the uid has no passwd entry (containers).
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
}
