import type { Command } from 'commander';
import { targetSetInput } from '../../../shared/contract';
import type { TargetTestResult, TargetView } from '../../../shared/model/target';
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
}
