import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type MigrationSettings,
  SOURCE_KINDS,
  type SourceKind,
  type SourceServer,
} from '../../../shared/model/server';
import { MmError } from '../../core/errors';
import type { AddServerInput } from '../../core/servers/server-service';
import { action, table } from '../context';
import { readStdinLines } from '../stdin';

interface AddOptions {
  host?: string;
  port?: number;
  user?: string;
  passwordStdin?: boolean;
  key?: string;
  passphraseStdin?: boolean;
  agentPath?: string;
  sourceRoot?: string;
  kind: SourceKind;
  api?: '1' | '2';
  hostKey?: string;
  trustNewHostKey?: boolean;
  local?: boolean;
  root?: string;
  transport?: 'ssh' | 'soap';
  url?: string;
  tokenStdin?: boolean;
  tlsFingerprint?: string;
  trustNewCertificate?: boolean;
}

interface SettingsOptions {
  protectiveDays?: number;
  allowUpdateInfo?: boolean;
  disableAfterMigration?: boolean;
  parkRegistrationOnly?: boolean;
  requireRegistration?: boolean;
  unmapped?: 'fail' | 'skip';
  defaultCountry?: string;
  inactivePolicy?: 'reject' | 'warn';
  webUrl?: string;
}

const int =
  (what: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} is a whole number`);
    return n;
  };
const onOff = (v: string): boolean => {
  if (v === 'on' || v === 'true' || v === 'yes') return true;
  if (v === 'off' || v === 'false' || v === 'no') return false;
  throw new InvalidArgumentError('say on or off');
};

export function describeServer(s: SourceServer): string {
  const c = s.connection;
  const where = connectionText(c);
  const key =
    c.type === 'ssh'
      ? `host key: ${c.hostKeyFingerprint ?? 'not pinned yet'}`
      : c.type === 'soap' && c.url.startsWith('https:')
        ? `certificate: ${c.tlsFingerprint ?? 'not pinned yet'}`
        : '';
  const inv = s.inventory
    ? `inventory: ${s.inventory.accounts} accounts, ${s.inventory.domains} domains, ${s.inventory.subscriptions} subscriptions, ${s.inventory.templates} templates (${s.inventory.fetchedAt})`
    : 'inventory: not fetched';
  const st = s.settings;
  return [
    `${s.name} (${s.id}): ${s.kind}, Migration API v${s.apiVersion}, ${where}`,
    key,
    c.type === 'soap'
      ? ''
      : `agent path: ${s.agentPath}${s.sourceRoot ? `, source root: ${s.sourceRoot}` : ''}`,
    inv,
    `settings: protective interval ${st.protectiveDays} days; allow update information ${st.allowUpdateInfo ? 'on' : 'off'}; disable after migration ${st.disableAfterMigration ? 'on' : 'off'}; park registration-only domains ${st.parkRegistrationOnly ? 'on' : 'off'}; require registration ${st.requireRegistration ? 'on' : 'off'}; unmapped subscriptions: ${st.unmappedPolicy}`,
  ]
    .filter((l) => l !== '')
    .join('\n');
}

function connectionText(c: SourceServer['connection']): string {
  if (c.type === 'ssh') return `ssh ${c.user}@${c.host}:${c.port}`;
  if (c.type === 'soap') return `soap ${c.url}`;
  return `local ${c.root}`;
}

export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('source servers of the project');

  server
    .command('add <name>')
    .description(
      'register a source server: SSH, SOAP/HTTP(S) to `agent.pl --serve` (--transport soap), or --local',
    )
    .addOption(new Option('--transport <transport>', 'how the agent is reached').choices(['ssh', 'soap']))
    .option('--url <url>', 'SOAP: the agent URL, http(s)://host:port/mm-agent')
    .option('--token-stdin', 'SOAP: read the token the agent was started with from stdin')
    .option('--tls-fingerprint <sha256>', 'SOAP over HTTPS: pin this certificate fingerprint (AB:CD:…)')
    .option('--trust-new-certificate', 'SOAP over HTTPS: connect now and pin the certificate the agent shows')
    .option('--host <host>', 'SSH host name or address')
    .option('--port <port>', 'SSH port', int('the port'))
    .option('--user <user>', 'SSH user')
    .option('--password-stdin', 'read the SSH password from stdin')
    .option('--key <file>', 'SSH private key file (stored sealed, not by path)')
    .option('--passphrase-stdin', "read the private key's passphrase from stdin")
    .option('--agent-path <dir>', 'where agents are deployed on the server')
    .option('--source-root <dir>', "where the source system's files are on the server, if not /")
    .addOption(new Option('--kind <kind>', 'source system').choices(SOURCE_KINDS).makeOptionMandatory())
    .addOption(new Option('--api <version>', 'Migration API version').choices(['1', '2']))
    .option('--host-key <fingerprint>', 'pin this SHA256:… host key fingerprint')
    .option('--trust-new-host-key', 'connect now and pin the key the server shows')
    .option('--local', 'run the agent on this machine')
    .option('--root <dir>', 'with --local: where the source files are')
    .action(
      action(async (ctx, name: string, o: AddOptions) => {
        const projectId = await ctx.projectId();
        const input = await addInput(name, o);
        const added = await ctx.core.servers.add(projectId, input);
        let text = `Registered ${added.name}.`;
        if (o.trustNewCertificate && added.connection.type === 'soap') {
          const test = await ctx.core.servers
            .test(projectId, added.id, { trustNew: true })
            .catch(async (e: unknown) => {
              await ctx.core.servers.remove(projectId, added.id);
              throw e;
            });
          text += `\nPinned certificate ${test.tlsFingerprint ?? ''}.`;
        }
        if (o.trustNewHostKey && added.connection.type === 'ssh') {
          const test = await ctx.core.servers
            .test(projectId, added.id, { trustNew: true })
            .catch(async (e: unknown) => {
              await ctx.core.servers.remove(projectId, added.id);
              throw e;
            });
          text += `\nPinned host key ${test.hostKeyFingerprint ?? ''}.`;
        }
        const stored = await ctx.core.servers.get(projectId, added.id);
        return { json: stored, text: `${text}\n${describeServer(stored)}` };
      }),
    );

  server
    .command('list')
    .description('list the source servers')
    .action(
      action(async (ctx) => {
        const servers = await ctx.core.servers.list(await ctx.projectId());
        const rows = servers.map((s) => [
          s.id,
          s.kind,
          `v${s.apiVersion}`,
          s.connection.type === 'ssh'
            ? `${s.connection.user}@${s.connection.host}:${s.connection.port}`
            : connectionText(s.connection),
          s.inventory ? `${s.inventory.accounts}/${s.inventory.domains}/${s.inventory.subscriptions}` : '-',
        ]);
        return {
          json: servers,
          text: servers.length
            ? table(['ID', 'KIND', 'API', 'CONNECTION', 'ACCTS/DOMAINS/SUBS'], rows)
            : 'No source servers yet.',
        };
      }),
    );

  server
    .command('test <name>')
    .description('connect, check the host key (or certificate), Perl and the agent')
    .option(
      '--trust-new-host-key',
      'pin the key (SOAP: the certificate) the server shows if none is pinned yet',
    )
    .action(
      action(async (ctx, name: string, o: { trustNewHostKey?: boolean }) => {
        const r = await ctx.core.servers.test(await ctx.projectId(), name, {
          trustNew: o.trustNewHostKey ?? false,
        });
        const agent = r.agent.installedVersion
          ? `agent ${r.agent.installedVersion} installed${r.agent.upToDate ? '' : `, older than ${r.agent.bundledVersion}: it will be updated`}`
          : `agent not installed: version ${r.agent.bundledVersion} will be deployed`;
        return {
          json: r,
          text: [
            `Connected: ${r.transport}`,
            r.hostKeyFingerprint
              ? `host key ${r.hostKeyFingerprint}${r.pinnedNow ? ' (pinned now)' : ' (matches the pin)'}`
              : '',
            r.tlsFingerprint
              ? `certificate ${r.tlsFingerprint}${r.pinnedNow ? ' (pinned now)' : ' (matches the pin)'}`
              : '',
            r.perl ? `Perl ${r.perl}` : 'Perl: NOT FOUND — the agents need Perl 5',
            agent,
          ]
            .filter(Boolean)
            .join('\n'),
        };
      }),
    );

  server
    .command('remove <name>')
    .description('forget a source server, its credentials and its inventory')
    .action(
      action(async (ctx, name: string) => {
        const projectId = await ctx.projectId();
        const s = await ctx.core.servers.get(projectId, name);
        await ctx.core.servers.remove(projectId, s.id);
        return { json: { removed: s.id }, text: `Removed ${s.name}.` };
      }),
    );

  server
    .command('settings <name>')
    .description('show or change the migration settings of a source server')
    .option('--protective-days <n>', 'protective interval for expired subscriptions', int('the interval'))
    .option('--allow-update-info <on|off>', 'refresh with accountsInfo/domainsInfo', onOff)
    .option('--disable-after-migration <on|off>', 'disable migrated subscriptions on the source', onOff)
    .option('--park-registration-only <on|off>', 'offer parking for registration-only domains', onOff)
    .option('--require-registration <on|off>', 'a domain needs a registration subscription', onOff)
    .addOption(new Option('--unmapped <policy>', 'unmapped subscriptions').choices(['fail', 'skip']))
    .addOption(
      new Option('--inactive-policy <policy>', 'suspended, disabled or pending subscriptions').choices([
        'reject',
        'warn',
      ]),
    )
    .option(
      '--default-country <cc>',
      'country for migrated accounts the source keeps no address for ("" for none)',
    )
    .option(
      '--web-url <url>',
      'where the server\'s web server answers for the page checks, e.g. http://10.0.0.5:8080 ("" for each domain\'s web IP)',
    )
    .action(
      action(async (ctx, name: string, o: SettingsOptions) => {
        const projectId = await ctx.projectId();
        // Kept with the check settings (checks.json), where mm check and the Checks page read it.
        if (o.webUrl !== undefined)
          await ctx.core.checks.setSettings(projectId, { sourceWeb: { [name]: o.webUrl } });
        const change: Partial<MigrationSettings> = {
          ...(o.protectiveDays !== undefined ? { protectiveDays: o.protectiveDays } : {}),
          ...(o.allowUpdateInfo !== undefined ? { allowUpdateInfo: o.allowUpdateInfo } : {}),
          ...(o.disableAfterMigration !== undefined
            ? { disableAfterMigration: o.disableAfterMigration }
            : {}),
          ...(o.parkRegistrationOnly !== undefined ? { parkRegistrationOnly: o.parkRegistrationOnly } : {}),
          ...(o.requireRegistration !== undefined ? { requireRegistration: o.requireRegistration } : {}),
          ...(o.unmapped !== undefined ? { unmappedPolicy: o.unmapped } : {}),
          ...(o.inactivePolicy !== undefined ? { inactivePolicy: o.inactivePolicy } : {}),
          ...(o.defaultCountry !== undefined ? { defaultCountry: o.defaultCountry.toLowerCase() } : {}),
        };
        const s =
          Object.keys(change).length > 0
            ? await ctx.core.servers.updateSettings(projectId, name, change)
            : await ctx.core.servers.get(projectId, name);
        return { json: s.settings, text: describeServer(s) };
      }),
    );
}

async function addInput(name: string, o: AddOptions): Promise<AddServerInput> {
  const apiVersion = o.api === '1' ? 1 : 2;
  if (o.local) {
    if (!o.root)
      throw new MmError('usage', '--local needs --root <dir>: where the source files are.', '--root');
    return { name, kind: o.kind, apiVersion, connection: { type: 'local', root: resolve(o.root) } };
  }
  if (o.transport === 'soap') return soapInput(name, o, apiVersion);
  if (o.url || o.tokenStdin || o.tlsFingerprint || o.trustNewCertificate)
    throw new MmError(
      'usage',
      '--url, --token-stdin and --tls-fingerprint go with --transport soap.',
      '--transport',
    );
  if (!o.host || !o.user)
    throw new MmError('usage', 'An SSH server needs --host and --user (or use --local --root).', '--host');
  if (o.passwordStdin && o.key)
    throw new MmError('usage', 'Give --password-stdin or --key, not both.', '--key');
  if (!o.passwordStdin && !o.key)
    throw new MmError('usage', 'An SSH server needs --password-stdin or --key <file>.', '--key');
  if (o.hostKey && o.trustNewHostKey)
    throw new MmError('usage', 'Give --host-key or --trust-new-host-key, not both.', '--host-key');
  const lines = o.passwordStdin || o.passphraseStdin ? await readStdinLines() : [];
  let privateKey: string | undefined;
  if (o.key) {
    privateKey = await readFile(o.key, 'utf8').catch(() => {
      throw new MmError('invalid-input', `Cannot read the key file ${o.key}.`, '--key');
    });
  }
  return {
    name,
    kind: o.kind,
    apiVersion,
    connection: {
      type: 'ssh',
      host: o.host,
      ...(o.port !== undefined ? { port: o.port } : {}),
      user: o.user,
      ...(o.hostKey ? { hostKeyFingerprint: o.hostKey } : {}),
    },
    credentials: {
      ...(o.passwordStdin ? { password: lines[0] ?? '' } : {}),
      ...(privateKey ? { privateKey } : {}),
      ...(o.passphraseStdin ? { passphrase: lines[0] ?? '' } : {}),
    },
    ...(o.agentPath ? { agentPath: o.agentPath } : {}),
    ...(o.sourceRoot ? { sourceRoot: o.sourceRoot } : {}),
  };
}

async function soapInput(name: string, o: AddOptions, apiVersion: 1 | 2): Promise<AddServerInput> {
  if (!o.url) throw new MmError('usage', 'A SOAP server needs --url http(s)://host:port/mm-agent.', '--url');
  if (!o.tokenStdin)
    throw new MmError(
      'usage',
      'A SOAP server needs --token-stdin (the token is never an argument).',
      '--token-stdin',
    );
  if (o.host || o.user || o.passwordStdin || o.key || o.hostKey || o.trustNewHostKey || o.local)
    throw new MmError('usage', 'SSH and --local options do not go with --transport soap.', '--transport');
  if (o.tlsFingerprint && o.trustNewCertificate)
    throw new MmError(
      'usage',
      'Give --tls-fingerprint or --trust-new-certificate, not both.',
      '--tls-fingerprint',
    );
  const [token = ''] = await readStdinLines();
  return {
    name,
    kind: o.kind,
    apiVersion,
    connection: {
      type: 'soap',
      url: o.url,
      ...(o.tlsFingerprint ? { tlsFingerprint: o.tlsFingerprint } : {}),
    },
    credentials: { token: token.trim() },
  };
}
