/**
 * POA refusals as the target names them: `status -1` with `module_id` and `extype_id`. The
 * documented ones (dns/10, dns/2040, dns/2061) come from TARGET-API.md; the others are the
 * sandbox's choice for cases the public reference leaves unnamed (listed as *verify* in
 * ARCHITECTURE.md). The clients, the adapter and the sandbox all use these constants, so that
 * a real POA's different numbers are corrected here, in one place.
 */
export interface PoaErrorType {
  readonly moduleId: string;
  readonly extypeId: number;
}

const e = (moduleId: string, extypeId: number): PoaErrorType => ({ moduleId, extypeId });

export const POA_ERRORS = {
  // Documented (TARGET-API.md, public clients).
  noSuchDomain: e('dns', 10),
  dnsHostingExists: e('dns', 2040),
  dnsRecordExists: e('dns', 2061),
  // Chosen by the sandbox (*verify* against a real POA).
  domainExists: e('dns', 2001),
  domainIdTaken: e('dns', 2002),
  domainProvisioning: e('dns', 2050),
  noDnsHosting: e('dns', 2041),
  dnsHostingProvisioning: e('dns', 2051),
  noSuchDnsRecord: e('dns', 2062),
  noSuchAccount: e('accounts', 1),
  accountExists: e('accounts', 2),
  loginTaken: e('accounts', 3),
  noSuchMember: e('accounts', 4),
  passwordIsHash: e('accounts', 5),
  notReseller: e('accounts', 6),
  noSuchSubscription: e('subscriptions', 1),
  subscriptionExists: e('subscriptions', 2),
  noSuchTemplate: e('subscriptions', 3),
  templateInactive: e('subscriptions', 4),
  subscriptionProvisioning: e('subscriptions', 5),
  noSuchResource: e('subscriptions', 6),
  mailnameExists: e('cqmail', 1),
  noSuchMailname: e('cqmail', 2),
  mailnameProvisioning: e('cqmail', 3),
  databaseExists: e('db', 1),
  noSuchDatabase: e('db', 2),
  databaseUserExists: e('db', 3),
  ftpUserExists: e('ftp', 1),
  noSuchTransaction: e('txn', 1),
  transactionExpired: e('txn', 2),
  requestIdUsed: e('txn', 3),
  transactionIdUsed: e('txn', 4),
  noSuchRequest: e('txn', 5),
  commitConflict: e('txn', 6),
  // An injected refusal (fault injection): not a real POA error.
  injected: e('sandbox', 1),
} as const satisfies Record<string, PoaErrorType>;

export type PoaErrorName = keyof typeof POA_ERRORS;

/** The "already exists" refusals: a retry that meets one looks the object up and counts it found. */
export const ALREADY_EXISTS: readonly PoaErrorName[] = [
  'domainExists',
  'domainIdTaken',
  'dnsHostingExists',
  'dnsRecordExists',
  'accountExists',
  'loginTaken',
  'subscriptionExists',
  'mailnameExists',
  'databaseExists',
  'databaseUserExists',
  'ftpUserExists',
];

/** The "wait, it is still being provisioned" refusals: worth retrying after the request finishes. */
export const BEING_PROVISIONED: readonly PoaErrorName[] = [
  'domainProvisioning',
  'dnsHostingProvisioning',
  'subscriptionProvisioning',
  'mailnameProvisioning',
];

/** Whether a (moduleId, extypeId) pair is the named error. */
export function isPoaError(
  got: { readonly moduleId?: string; readonly extypeId?: number },
  ...names: readonly PoaErrorName[]
): boolean {
  return names.some(
    (n) => POA_ERRORS[n].moduleId === got.moduleId && POA_ERRORS[n].extypeId === got.extypeId,
  );
}
