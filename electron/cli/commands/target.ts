import type { Command } from 'commander';
import { targetSetInput } from '../../../shared/contract';
import type { TargetTestResult, TargetView } from '../../../shared/model/target';
import { readFile } from 'node:fs/promises';
import { parseRole } from '../../core/content/node-service';
import { MmError } from '../../core/errors';
import { action, table } from '../context';
import { readStdinLines } from '../stdin';

interface SetOptions {
  poaUrl?: string;
  poaUser?: string;
  poaPasswordStdin?: boolean;
  pbaUrl?: string;
  pbaUser?: string;
  pbaPasswordStdin?: boolean;
  tlsFingerprint?: string;
}

function describeTarget(t: TargetView): string {
  const side = (name: string, e: TargetView['poa']): string =>
    e
      ? `${name}: ${e.url}${e.user ? ` as ${e.user}` : ''}${e.hasPassword ? ' (password stored)' : ''}`
      : `${name}: not set`;
  return [
    side('POA', t.poa),
    side('PBA', t.pba),
    `TLS: ${t.tlsFingerprint ? `pinned SHA-256 ${t.tlsFingerprint}` : 'system trust'}`,
    ...(t.sandbox ? ['(the built-in sandbox target)'] : []),
  ].join('\n');
}

function describeTest(r: TargetTestResult): string {
  const lines: string[] = [];
  lines.push(
    r.poa.ok
      ? `POA: ok, ${r.poa.items.length} service templates (${r.poa.ms} ms)`
      : `POA: FAILED — ${r.poa.error ?? ''}`,
  );
  if (r.poa.ok)
    lines.push(
      table(
        ['ID', 'SERVICE TEMPLATE', 'ACTIVE'],
        r.poa.items.map((t) => [String(t.id), t.name, t.active ? 'yes' : 'no']),
      ),
    );
  lines.push(
    r.pba.ok
      ? `PBA: ok, ${r.pba.items.length} service plans (${r.pba.ms} ms)`
      : `PBA: FAILED — ${r.pba.error ?? ''}`,
  );
  if (r.pba.ok) {
    lines.push(
      table(
        ['ID', 'SERVICE PLAN', 'CATEGORY', 'TEMPLATE', 'TLD'],
        r.pba.items.map((p) => [
          String(p.id),
          p.name,
          p.category,
          p.serviceTemplateId ? String(p.serviceTemplateId) : '',
          p.tld,
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export function registerTargetCommands(program: Command): void {
  const target = program.command('target').description('the POA/PBA target of a project');

  target
    .command('set')
    .description(
      'set the target: POA and PBA OpenAPI URLs and credentials (passwords on stdin: POA first line, PBA next)',
    )
    .option('--poa-url <url>', 'POA OpenAPI, e.g. https://poa.example.com:8440/RPC2 ("" clears)')
    .option('--poa-user <user>', 'POA OpenAPI user (HTTP Basic)')
    .option('--poa-password-stdin', 'read the POA password from stdin')
    .option('--pba-url <url>', 'PBA OpenAPI, e.g. https://pba.example.com:5224/RPC2 ("" clears)')
    .option('--pba-user <user>', 'PBA OpenAPI user (HTTP Basic)')
    .option('--pba-password-stdin', 'read the PBA password from stdin')
    .option(
      '--tls-fingerprint <sha256>',
      'pin the target certificate by its SHA-256 fingerprint ("" = system trust)',
    )
    .action(
      action(async (ctx, opts: SetOptions) => {
        const projectId = await ctx.projectId();
        const lines = opts.poaPasswordStdin || opts.pbaPasswordStdin ? await readStdinLines() : [];
        const poaPassword = opts.poaPasswordStdin ? lines.shift() : undefined;
        const pbaPassword = opts.pbaPasswordStdin ? lines.shift() : undefined;
        const parsed = targetSetInput.safeParse({
          projectId,
          poaUrl: opts.poaUrl,
          poaUser: opts.poaUser,
          poaPassword,
          pbaUrl: opts.pbaUrl,
          pbaUser: opts.pbaUser,
          pbaPassword,
          tlsFingerprint: opts.tlsFingerprint,
        });
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue?.path.join('.') ?? 'target';
          throw new MmError('invalid-input', `${where}: ${issue?.message ?? 'invalid'}`, where);
        }
        const { projectId: _id, ...update } = parsed.data;
        const view = await ctx.core.target.set(projectId, update);
        return { json: view, text: `Target of "${projectId}" saved.\n${describeTarget(view)}` };
      }),
    );

  target
    .command('show')
    .description('show the target of the project (never its passwords)')
    .action(
      action(async (ctx) => {
        const view = await ctx.core.target.get(await ctx.projectId());
        return { json: view, text: describeTarget(view) };
      }),
    );

  target
    .command('test')
    .description('connect to the target: list POA service templates and PBA service plans')
    .action(
      action(async (ctx) => {
        const result = await ctx.core.target.test(await ctx.projectId());
        if (!result.poa.ok || !result.pba.ok) {
          process.exitCode = 1;
        }
        return { json: result, text: describeTest(result) };
      }),
    );

  registerNodeCommands(target);
}

interface NodeAddOptions {
  host: string;
  port?: string;
  user: string;
  root: string;
  passwordStdin?: boolean;
  key?: string;
  passphraseStdin?: boolean;
  hostKey?: string;
  trustNewHostKey?: boolean;
}

/** `mm target node add|list|test|remove web|mail|db`: the nodes that hold content. */
function registerNodeCommands(target: Command): void {
  const node = target
    .command('node')
    .description("the target's content nodes: web (sites), mail (Maildirs), db");

  node
    .command('add <role>')
    .description(
      'register the web, mail or db node reached over SSH (secrets on stdin: password, then passphrase)',
    )
    .requiredOption('--host <host>', 'the node host name or address')
    .option('--port <port>', 'SSH port (default 22)')
    .requiredOption('--user <user>', 'SSH user')
    .requiredOption('--root <dir>', 'web: the vhosts root; mail: the Maildir root; db: a scratch folder')
    .option('--password-stdin', 'read the SSH password from stdin')
    .option('--key <file>', 'SSH private key file (stored sealed, not by path)')
    .option('--passphrase-stdin', "read the private key's passphrase from stdin")
    .option('--host-key <fingerprint>', 'pin this SHA256:… host key fingerprint')
    .option('--trust-new-host-key', 'connect now and pin the key the node shows')
    .action(
      action(async (ctx, roleName: string, o: NodeAddOptions) => {
        const role = parseRole(roleName);
        if (o.passwordStdin && o.key)
          throw new MmError('usage', 'Give --password-stdin or --key, not both.', '--key');
        if (!o.passwordStdin && !o.key)
          throw new MmError('usage', 'A node needs --password-stdin or --key <file>.', '--key');
        if (o.hostKey && o.trustNewHostKey)
          throw new MmError('usage', 'Give --host-key or --trust-new-host-key, not both.', '--host-key');
        const port = o.port === undefined ? undefined : Number(o.port);
        if (port !== undefined && !Number.isInteger(port))
          throw new MmError('usage', `--port ${o.port} is not a number.`, '--port');
        const lines = o.passwordStdin || o.passphraseStdin ? await readStdinLines() : [];
        const password = o.passwordStdin ? lines.shift() : undefined;
        const passphrase = o.passphraseStdin ? lines.shift() : undefined;
        const privateKey = o.key
          ? await readFile(o.key, 'utf8').catch(() => {
              throw new MmError('invalid-input', `Cannot read the key file ${o.key}.`, '--key');
            })
          : undefined;
        const projectId = await ctx.projectId();
        let added = await ctx.core.nodes.add(projectId, {
          role,
          host: o.host,
          user: o.user,
          root: o.root,
          ...(port !== undefined ? { port } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(privateKey !== undefined ? { privateKey } : {}),
          ...(passphrase !== undefined ? { passphrase } : {}),
          ...(o.hostKey ? { hostKeyFingerprint: o.hostKey } : {}),
        });
        let text = `The ${role} node ${added.user}@${added.host}:${added.port} (${added.root}) is registered.`;
        if (o.trustNewHostKey) {
          const test = await ctx.core.nodes.test(projectId, role, { trustNew: true });
          added = {
            ...added,
            ...(test.hostKeyFingerprint ? { hostKeyFingerprint: test.hostKeyFingerprint } : {}),
          };
          text += `\nPinned host key ${test.hostKeyFingerprint ?? ''}; ${test.root} is writable.`;
        }
        return { json: added, text };
      }),
    );

  node
    .command('list')
    .description("the project's nodes (registered over SSH, or the sandbox's own)")
    .action(
      action(async (ctx) => {
        const nodes = await ctx.core.nodes.list(await ctx.projectId());
        return {
          json: nodes,
          text:
            nodes.length === 0
              ? 'No target nodes: register them with "mm target node add web|mail|db …".'
              : table(
                  ['ROLE', 'NODE', 'ROOT', 'HOST KEY'],
                  nodes.map((n) => [
                    n.role,
                    n.via === 'sandbox'
                      ? "the sandbox's own (local)"
                      : `${n.user ?? ''}@${n.host ?? ''}:${n.port ?? ''}`,
                    n.root,
                    n.via === 'sandbox' ? '' : (n.hostKeyFingerprint ?? 'not pinned yet'),
                  ]),
                ),
        };
      }),
    );

  node
    .command('test <role>')
    .description('connect to the node (host key checked) and check its root is writable and tar is there')
    .option('--trust-new-host-key', 'pin the key the node shows if none is pinned yet')
    .action(
      action(async (ctx, roleName: string, o: { trustNewHostKey?: boolean }) => {
        const r = await ctx.core.nodes.test(await ctx.projectId(), parseRole(roleName), {
          trustNew: o.trustNewHostKey === true,
        });
        return {
          json: r,
          text: `${r.role} node ok: ${r.label}, ${r.root} writable${r.databases ? `, ${r.databases.join(' and ')} answering` : ''}${r.hostKeyFingerprint ? `, host key ${r.hostKeyFingerprint}` : ''} (${r.ms} ms)`,
        };
      }),
    );

  node
    .command('remove <role>')
    .description('forget the node of a role and its sealed credentials')
    .action(
      action(async (ctx, roleName: string) => {
        const role = parseRole(roleName);
        await ctx.core.nodes.remove(await ctx.projectId(), role);
        return { json: { removed: role }, text: `The ${role} node was removed.` };
      }),
    );
}
