import { Badge, Group } from '@mantine/core';
import type { AccountRow, DomainRow, SubscriptionRow, TemplateRow } from '../../../shared/model/inventory';
import { StatusBadge } from '../../components/status-badge';
import type { Column } from '../../components/virtual-table';

export const ACCOUNT_COLUMNS: readonly Column<AccountRow>[] = [
  { key: 'id', label: 'Account', value: (r) => r.id, width: '1.2fr' },
  { key: 'type', label: 'Type', value: (r) => r.type, width: 100 },
  { key: 'company', label: 'Company', value: (r) => r.company ?? '', width: '1.5fr' },
  { key: 'contact', label: 'Contact', value: (r) => r.contact ?? '', width: '1.2fr' },
  { key: 'email', label: 'E-mail', value: (r) => r.email ?? '', width: '1.5fr' },
  {
    key: 'status',
    label: 'Status',
    value: (r) => r.status,
    render: (r) => <StatusBadge status={r.status} />,
    width: 110,
  },
  { key: 'domains', label: 'Domains', value: (r) => r.domains, width: 90 },
  { key: 'subscriptions', label: 'Subs', value: (r) => r.subscriptions, width: 80 },
  { key: 'server', label: 'Server', value: (r) => r.serverId, width: '1fr' },
];

export const DOMAIN_COLUMNS: readonly Column<DomainRow>[] = [
  { key: 'name', label: 'Domain', value: (r) => r.name, width: '2fr' },
  { key: 'account', label: 'Account', value: (r) => r.accountId, width: '1fr' },
  { key: 'kind', label: 'Kind', value: (r) => r.kind, width: 100 },
  {
    key: 'status',
    label: 'Status',
    value: (r) => r.status,
    render: (r) => <StatusBadge status={r.status} />,
    width: 110,
  },
  {
    key: 'hosting',
    label: 'Hosting subscription',
    value: (r) => r.hostingSubscriptionId ?? '',
    width: '1.5fr',
  },
  {
    key: 'registration',
    label: 'Registration subscription',
    value: (r) => r.registrationSubscriptionId ?? '',
    width: '1.5fr',
  },
  { key: 'server', label: 'Server', value: (r) => r.serverId, width: '1fr' },
];

export const SUBSCRIPTION_COLUMNS: readonly Column<SubscriptionRow>[] = [
  { key: 'id', label: 'Subscription', value: (r) => r.id, width: '1.5fr' },
  { key: 'account', label: 'Account', value: (r) => r.accountId, width: '1fr' },
  { key: 'template', label: 'Template', value: (r) => r.templateName ?? r.templateId, width: '1.5fr' },
  {
    key: 'status',
    label: 'Status',
    value: (r) => r.status,
    render: (r) => <StatusBadge status={r.status} />,
    width: 110,
  },
  { key: 'created', label: 'Created', value: (r) => r.created ?? '', width: 120 },
  { key: 'expires', label: 'Expires', value: (r) => r.expires ?? '', width: 120 },
  { key: 'domains', label: 'Domains', value: (r) => r.domains, width: 90 },
  { key: 'server', label: 'Server', value: (r) => r.serverId, width: '1fr' },
];

export const TEMPLATE_COLUMNS: readonly Column<TemplateRow>[] = [
  { key: 'name', label: 'Template', value: (r) => r.name, width: '2fr' },
  { key: 'id', label: 'Id', value: (r) => r.id, width: '1fr' },
  {
    key: 'kind',
    label: 'Kind (agent hint)',
    value: (r) => r.kind ?? '',
    render: (r) => (
      <Group gap={4}>
        {r.kind && (
          <Badge size="sm" variant="outline">
            {r.kind}
          </Badge>
        )}
        {r.virtual && (
          <Badge size="sm" color="grape">
            virtual
          </Badge>
        )}
        {r.disabled && (
          <Badge size="sm" color="gray">
            disabled
          </Badge>
        )}
      </Group>
    ),
    width: '1.5fr',
  },
  { key: 'resources', label: 'Resources', value: (r) => r.resources, width: 100 },
  { key: 'subscriptions', label: 'Subscriptions', value: (r) => r.subscriptions, width: 120 },
  { key: 'server', label: 'Server', value: (r) => r.serverId, width: '1fr' },
];
