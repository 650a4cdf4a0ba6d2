/**
 * What the read-back needs of a done step, and nothing more: its id, kind, object and label, and
 * of its payload the few fields a look-up matches on (a login, an address, a zone's name, the
 * step whose ids name the account). Once a step's outcome is durable the executor keeps this
 * instead of the step (issue 19): a payload holds the source's contacts, addresses, terms,
 * mailbox and database models, and through them parts of the inventory, ~700 bytes per step
 * alive for the whole batch although nothing reads them again. The plan itself is not changed:
 * its content and fingerprint stay as planned.
 */
import type { FtpUserModel, MailRedirectModel } from '../../../shared/model/domain-services';
import type {
  MigrationObjectRef,
  PayloadOf,
  PlanStep,
  StepKind,
  StepPayload,
} from '../../../shared/model/migration';

type Keep<K extends StepKind, F extends keyof PayloadOf<K>> = Pick<PayloadOf<K>, 'kind' | F>;

/** Kinds whose look-up needs a field of the payload (the others are found by their ids alone). */
type Matched =
  | 'member'
  | 'subscription-status'
  | 'subdomain'
  | 'pointer'
  | 'dns-hosting'
  | 'dns-record'
  | 'mail-forward'
  | 'mail-alias'
  | 'database-user'
  | 'ftp-user';

export type ReadBackPayload =
  | Keep<'member', 'login'>
  | Keep<'subscription-status', 'subscriptionStep'>
  | Keep<'subdomain', 'subscriptionStep'>
  | Keep<'pointer', 'subscriptionStep'>
  | Keep<'dns-hosting', 'domainStep'>
  | Keep<'dns-record', 'domainName'>
  | Keep<'mail-forward', 'address' | 'target'>
  | (Keep<'mail-alias', 'mailboxAddress'> & { readonly alias: Pick<MailRedirectModel, 'address'> })
  | Keep<'database-user', 'databaseName' | 'login'>
  | { readonly kind: 'ftp-user'; readonly user: Pick<FtpUserModel, 'login'> }
  | { readonly kind: Exclude<StepKind, Matched> };

/** A step as the read-back sees it (a whole PlanStep is one too). */
export interface ReadBackStep {
  readonly id: string;
  readonly kind: StepKind;
  readonly object: MigrationObjectRef;
  readonly label: string;
  readonly payload: ReadBackPayload;
}

/** The fields of a payload the read-back matches on, copied into a small object of their own. */
export function readBackPayloadOf(p: StepPayload): ReadBackPayload {
  switch (p.kind) {
    case 'member':
      return { kind: p.kind, login: p.login };
    case 'subscription-status':
    case 'subdomain':
    case 'pointer':
      return { kind: p.kind, subscriptionStep: p.subscriptionStep };
    case 'dns-hosting':
      return { kind: p.kind, domainStep: p.domainStep };
    case 'dns-record':
      return { kind: p.kind, domainName: p.domainName };
    case 'mail-forward':
      return { kind: p.kind, address: p.address, target: p.target };
    case 'mail-alias':
      return { kind: p.kind, mailboxAddress: p.mailboxAddress, alias: { address: p.alias.address } };
    case 'database-user':
      return { kind: p.kind, databaseName: p.databaseName, login: p.login };
    case 'ftp-user':
      return { kind: p.kind, user: { login: p.user.login } };
    default:
      return { kind: p.kind };
  }
}

/** A done step reduced to what the read-back and the batch's summary read of it. */
export function readBackStepOf(step: PlanStep | ReadBackStep): ReadBackStep {
  if (!('dependsOn' in step)) return step;
  return {
    id: step.id,
    kind: step.kind,
    object: step.object,
    label: step.label,
    payload: readBackPayloadOf(step.payload),
  };
}

/** Whether a step is still whole (not yet reduced by readBackStepOf). */
export function isWholeStep(step: PlanStep | ReadBackStep): step is PlanStep {
  return 'dependsOn' in step;
}
