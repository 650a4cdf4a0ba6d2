/**
 * The inventory of one source server, as the Migration API (agents/xsd/HostingPlatform.xsd)
 * describes it. Readonly data; ids are the source's own, exactly as spelled there.
 * Money stays a decimal string with its currency, so no cent is lost to floating point.
 */
export type TemplateKind = 'hosting' | 'domainRegistration' | 'hostingAndDomainRegistration' | 'resource';
export type SourceState = 'active' | 'suspended' | 'disabled' | 'expired' | 'cancelled' | 'pending';
export type PeriodType = 'day' | 'week' | 'month' | 'year';
export type AccountType = 'customer' | 'reseller';
export type DomainKind = 'regular' | 'subdomain' | 'parked' | 'alias';
export type ContentKind = 'site' | 'mailbox' | 'database' | 'ftp' | 'other';

export interface Money {
  readonly amount: string;
  readonly currency: string;
}

export interface Password {
  /** As stored by the manager: sealed (`mm-sealed:…`, see SEALED_PREFIX) once imported. */
  readonly value: string;
  readonly crypted: boolean;
  readonly scheme?: string;
  /** Whether the plain password contains "&" (a trap on the target), kept when it is sealed. */
  readonly hasAmpersand?: boolean;
}

/** Values the manager sealed with its secret store carry this prefix. */
export const SEALED_PREFIX = 'mm-sealed:';

export interface Credentials {
  readonly login: string;
  readonly password?: Password;
}

export interface Phone {
  readonly countryCode?: string;
  readonly areaCode?: string;
  readonly number: string;
  readonly extension?: string;
}

export interface Address {
  readonly street?: string;
  readonly houseNumber?: string;
  readonly address2?: string;
  readonly city?: string;
  readonly state?: string;
  readonly zip?: string;
  readonly country?: string;
}

export interface Contact {
  readonly firstName?: string;
  readonly middleName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly phone?: Phone;
  readonly fax?: Phone;
  readonly address?: Address;
}

export interface PaymentTool {
  readonly type: 'creditCard' | 'bankAccount' | 'other';
  readonly holder?: string;
  readonly cardType?: string;
  readonly maskedNumber?: string;
  readonly expMonth?: string;
  readonly expYear?: string;
  readonly default: boolean;
  readonly encryptedNumber?: string;
}

export interface PlatformInfo {
  readonly kind: string;
  readonly name?: string;
  readonly version?: string;
}

export interface SourceHost {
  readonly id: string;
  readonly hostname?: string;
  readonly roles: readonly string[];
  readonly ips: readonly { readonly address: string; readonly type: 'shared' | 'exclusive' }[];
}

export interface TemplateResource {
  readonly id: string;
  readonly name?: string;
  readonly unit?: string;
  readonly limit: number;
  readonly included?: number;
  readonly setupFee?: Money;
  readonly recurringFee?: Money;
}

export interface ServiceTemplate {
  readonly id: string;
  readonly name: string;
  readonly virtual: boolean;
  readonly kind?: TemplateKind;
  readonly disabled: boolean;
  readonly description?: string;
  readonly resources: readonly TemplateResource[];
}

export interface Account {
  readonly id: string;
  readonly type: AccountType;
  readonly parentId?: string;
  readonly company?: string;
  readonly status: SourceState;
  readonly created?: string;
  readonly serverId?: string;
  readonly ccpLogin?: Credentials;
  readonly adminContact?: Contact;
  readonly technicalContact?: Contact;
  readonly billingContact?: Contact;
  readonly address?: Address;
  readonly balance?: Money;
  readonly paymentTools: readonly PaymentTool[];
}

export interface Subscription {
  readonly id: string;
  readonly accountId: string;
  readonly templateId: string;
  readonly name?: string;
  readonly status: SourceState;
  readonly created?: string;
  readonly expires?: string;
  readonly period?: number;
  readonly periodType?: PeriodType;
  readonly billingPeriod?: number;
  readonly billingPeriodType?: PeriodType;
  readonly refundPeriod?: number;
  readonly lastBillingDate?: string;
  readonly nextBillingDate?: string;
  readonly serverId?: string;
  readonly subscriptionFee?: Money;
  readonly setupFee?: Money;
  readonly renewalFee?: Money;
  readonly transferFee?: Money;
  readonly nonRefundableAmount?: Money;
  readonly registrarLogin?: Credentials;
  readonly domainIds: readonly string[];
}

export interface ContentRef {
  readonly kind: ContentKind;
  readonly id: string;
  readonly sizeBytes?: number;
}

export interface Domain {
  readonly id: string;
  readonly name: string;
  readonly asciiName?: string;
  readonly unicodeName?: string;
  readonly accountId: string;
  readonly hostingSubscriptionId?: string;
  readonly registrationSubscriptionId?: string;
  readonly kind: DomainKind;
  readonly status: SourceState;
  readonly serverId?: string;
  readonly content: readonly ContentRef[];
}

export interface Inventory {
  readonly apiVersion: 1 | 2;
  readonly agent?: string;
  readonly agentVersion?: string;
  readonly generated?: string;
  readonly platform: PlatformInfo;
  readonly hosts: readonly SourceHost[];
  readonly templates: readonly ServiceTemplate[];
  readonly accounts: readonly Account[];
  readonly subscriptions: readonly Subscription[];
  readonly domains: readonly Domain[];
}

export type InventoryKind = 'accounts' | 'domains' | 'subscriptions' | 'templates';

/** Table rows: slim, one per object, tagged with the source server. */
export interface AccountRow {
  readonly serverId: string;
  readonly id: string;
  readonly type: AccountType;
  readonly parentId?: string;
  readonly company?: string;
  readonly contact?: string;
  readonly email?: string;
  readonly status: SourceState;
  readonly domains: number;
  readonly subscriptions: number;
}

export interface DomainRow {
  readonly serverId: string;
  readonly id: string;
  readonly name: string;
  readonly accountId: string;
  readonly kind: DomainKind;
  readonly status: SourceState;
  readonly hostingSubscriptionId?: string;
  readonly registrationSubscriptionId?: string;
}

export interface SubscriptionRow {
  readonly serverId: string;
  readonly id: string;
  readonly accountId: string;
  readonly templateId: string;
  readonly templateName?: string;
  readonly status: SourceState;
  readonly created?: string;
  readonly expires?: string;
  readonly domains: number;
}

export interface TemplateRow {
  readonly serverId: string;
  readonly id: string;
  readonly name: string;
  readonly kind?: TemplateKind;
  readonly virtual: boolean;
  readonly disabled: boolean;
  readonly resources: number;
  readonly subscriptions: number;
}

export type InventoryRows =
  | { readonly kind: 'accounts'; readonly rows: readonly AccountRow[] }
  | { readonly kind: 'domains'; readonly rows: readonly DomainRow[] }
  | { readonly kind: 'subscriptions'; readonly rows: readonly SubscriptionRow[] }
  | { readonly kind: 'templates'; readonly rows: readonly TemplateRow[] };

/** One object in full, customer passwords masked (secrets never reach the renderer). */
export type InventoryDetail =
  | { readonly kind: 'accounts'; readonly serverId: string; readonly object: Account }
  | { readonly kind: 'domains'; readonly serverId: string; readonly object: Domain }
  | { readonly kind: 'subscriptions'; readonly serverId: string; readonly object: Subscription }
  | { readonly kind: 'templates'; readonly serverId: string; readonly object: ServiceTemplate };
