/**
 * The mail check, pure: each mailbox of the source against its Maildir on the target's mail
 * node — present, messages and bytes per folder, and the set of Message-IDs, so a message
 * that did not arrive is named by its Message-ID (or, without one, by its Maildir file name).
 */
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import { count, fail, resultOf, warn } from './result';

export interface MessageFact {
  /** "INBOX" or the Maildir++ folder name ("Sent", "Archive.2024"). */
  readonly folder: string;
  readonly size: number;
  readonly messageId?: string;
  /** The Maildir file name without its ":2,flags" info (unique per message). */
  readonly uniqueName: string;
}

export interface MailboxEvidence {
  readonly address: string;
  /** false: no Maildir there. */
  readonly present: boolean;
  readonly messages: readonly MessageFact[];
}

interface FolderTotals {
  messages: number;
  bytes: number;
}

function byFolder(messages: readonly MessageFact[]): Map<string, FolderTotals> {
  const out = new Map<string, FolderTotals>();
  for (const m of messages) {
    const t = out.get(m.folder) ?? { messages: 0, bytes: 0 };
    t.messages++;
    t.bytes += m.size;
    out.set(m.folder, t);
  }
  return out;
}

const keyOf = (m: MessageFact): string => m.messageId ?? `file ${m.uniqueName}`;

function mailboxDifferences(s: MailboxEvidence, t: MailboxEvidence | undefined): CheckDifference[] {
  const box = `mailbox ${s.address}`;
  if (!s.present) return [warn(box, 'its Maildir could not be read on the source')];
  if (!t?.present) return [fail(box, 'no Maildir on the target mail node')];
  const out: CheckDifference[] = [];
  const sf = byFolder(s.messages);
  const tf = byFolder(t.messages);
  for (const [folder, st] of sf) {
    const tt = tf.get(folder) ?? { messages: 0, bytes: 0 };
    if (tt.messages !== st.messages || tt.bytes !== st.bytes)
      out.push(
        fail(
          `${box} folder ${folder}`,
          `${count(st.messages, 'message')} (${st.bytes} bytes) on the source, ${count(tt.messages, 'message')} (${tt.bytes} bytes) on the target`,
        ),
      );
  }
  for (const [folder, tt] of tf)
    if (!sf.has(folder))
      out.push(warn(`${box} folder ${folder}`, `on the target only (${count(tt.messages, 'message')})`));
  const there = new Set(t.messages.map(keyOf));
  for (const m of s.messages)
    if (!there.has(keyOf(m)))
      out.push(fail(`${box} message ${keyOf(m)}`, `missing from folder ${m.folder} on the target`));
  return out;
}

export function compareMail(
  source: readonly MailboxEvidence[],
  target: readonly MailboxEvidence[],
): CheckResult {
  const byAddress = new Map(target.map((t) => [t.address.toLowerCase(), t]));
  const differences = source.flatMap((s) => mailboxDifferences(s, byAddress.get(s.address.toLowerCase())));
  const messages = source.reduce((n, s) => n + s.messages.length, 0);
  const bytes = source.reduce((n, s) => n + s.messages.reduce((b, m) => b + m.size, 0), 0);
  if (source.length === 0) return resultOf('mail', [], 'no mailbox to compare');
  return resultOf(
    'mail',
    differences,
    `${count(source.length, 'mailbox', 'mailboxes')}: ${count(messages, 'message')} (${bytes} bytes) match`,
  );
}
