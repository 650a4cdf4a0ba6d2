/**
 * `mm check [--domains …] [--json]`: the post-migration checks of every migrated domain (or
 * the named ones), source against target; exits 1 when any domain fails. `--web-server` and
 * `--name-server` say where the target's web and name servers are (remembered for the project;
 * a sandbox target says so itself); `--source-web`, `--kinds`, `--sample` and `--page-timeout`
 * set where the sources' web servers answer, which kinds run, pages per site and a page's time
 * (all remembered, like the Checks page's settings). `mm check show` prints the last stored run again.
 */
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  CHECK_KINDS,
  type CheckKind,
  type CheckRun,
  type CheckSettingsView,
} from '../../../shared/model/checks';
import { type CheckSettings, DEFAULT_PAGE_TIMEOUT_S, DEFAULT_SAMPLE } from '../../core/checks/check-store';
import { writePiecesTo } from '../../api/downloads';
import { MmError } from '../../core/errors';
import { whole } from '../../core/report/report-doc';
import { EXIT_FAILURE, action, table } from '../context';

interface CheckOptions {
  domains?: string[];
  webServer?: string;
  nameServer?: string;
  afterBatch?: string;
  sourceWeb?: string[];
  kinds?: string;
  sample?: string;
  pageTimeout?: string;
}

/** `--source-web web01=http://10.0.0.5:8080` (repeatable; `web01=` forgets it) → server → address. */
function parseSourceWeb(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new MmError(
        'usage',
        `--source-web takes <server>=<url> (e.g. web01=http://10.0.0.5:8080), not "${pair}".`,
        '--source-web',
      );
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n))
    throw new MmError('usage', `${flag} takes a whole number, not "${text}".`, flag);
  return n;
}

/** The settings the flags change (remembered for the project), or undefined when none is given. */
function settingsFromFlags(o: CheckOptions): CheckSettings | undefined {
  if (o.afterBatch !== undefined && o.afterBatch !== 'on' && o.afterBatch !== 'off')
    throw new MmError('usage', `--after-batch takes on or off, not "${o.afterBatch}".`, '--after-batch');
  const settings: CheckSettings = {
    ...(o.webServer !== undefined ? { webServer: o.webServer } : {}),
    ...(o.nameServer !== undefined ? { nameServer: o.nameServer } : {}),
    ...(o.afterBatch !== undefined ? { afterBatch: o.afterBatch === 'on' } : {}),
    ...(o.sourceWeb !== undefined ? { sourceWeb: parseSourceWeb(o.sourceWeb) } : {}),
    ...(o.kinds !== undefined
      ? {
          kinds: o.kinds
            .split(',')
            .map((k) => k.trim())
            .filter(Boolean) as CheckKind[],
        }
      : {}),
    ...(o.sample !== undefined ? { sample: wholeNumber('--sample', o.sample) } : {}),
    ...(o.pageTimeout !== undefined
      ? { pageTimeoutSeconds: wholeNumber('--page-timeout', o.pageTimeout) }
      : {}),
  };
  return Object.keys(settings).length ? settings : undefined;
}

/** Exactly the JSON of the issue: results, one per domain, five checks each. */
export function checkJson(run: CheckRun): unknown {
  return {
    results: run.domains.map((d) => ({
      domain: d.domain,
      server: d.server,
      status: d.status,
      checks: d.checks.map((c) => ({ kind: c.kind, status: c.status, message: c.message })),
    })),
  };
}

export function checkText(run: CheckRun): string {
  const rows = run.domains.flatMap((d) =>
    d.checks.map((c) => [d.domain, c.kind, c.status, c.message] as const),
  );
  const lines = [
    `Checks of ${run.domains.length} domain(s) at ${run.at}: ${run.counts.pass} passed, ${run.counts.warn} with warnings, ${run.counts.fail} failed.`,
  ];
  if (rows.length) lines.push(table(['domain', 'check', 'status', 'message'], rows));
  const named = run.domains.flatMap((d) =>
    d.checks.flatMap((c) =>
      c.differences.map((x) => `  ${d.domain} ${c.kind} ${x.severity}: ${x.object}: ${x.message}`),
    ),
  );
  if (named.length) lines.push('Differences:', ...named);
  return lines.join('\n');
}

/** The remembered settings' flags, on `mm check` and on `mm check settings`. */
function settingFlags(command: Command): Command {
  return command
    .option('--web-server <url>', "the target's web server, asked with each site's Host header (remembered)")
    .option('--name-server <host[:port]>', "the target's name server, asked over UDP (remembered)")
    .option(
      '--after-batch <on|off>',
      'run the checks automatically when a batch ends (remembered; on by default)',
    )
    .option(
      '--source-web <server=url...>',
      "where a source server's web server answers, e.g. web01=http://10.0.0.5:8080 (remembered; default: the domain's web IP, port 80; web01= forgets it)",
    )
    .option('--kinds <list>', `which checks run, e.g. web,mail (remembered; of ${CHECK_KINDS.join(',')})`)
    .option('--sample <n>', 'pages fetched per site at most (remembered; 25 by default)')
    .option('--page-timeout <seconds>', 'how long one page may take (remembered; 20 by default)');
}

export function settingsText(s: CheckSettingsView): string {
  const web = Object.entries(s.sourceWeb ?? {});
  return [
    `target web server: ${s.webServer ?? "(the sandbox's, or unknown)"}`,
    `target name server: ${s.nameServer ?? "(the sandbox's, or unknown)"}`,
    `after each batch: ${s.afterBatch === false ? 'off' : 'on'}`,
    `kinds: ${(s.kinds ?? CHECK_KINDS).join(',')}`,
    `pages per site: ${s.sample ?? DEFAULT_SAMPLE}`,
    `page timeout: ${s.pageTimeoutSeconds ?? DEFAULT_PAGE_TIMEOUT_S} s`,
    `source web servers: ${web.length ? web.map(([id, url]) => `${id}=${url}`).join(' ') : "(each domain's web IP, port 80)"}`,
  ].join('\n');
}

export function registerCheckCommands(program: Command): void {
  const check = settingFlags(
    program
      .command('check')
      .description(
        'post-migration checks: each migrated domain compared between source and target (exit 1 when one fails)',
      )
      .option('--domains <names...>', 'only these domains'),
  ).action(
    action(async (ctx, o: CheckOptions) => {
      const projectId = await ctx.projectId();
      const settings = settingsFromFlags(o);
      if (settings) await ctx.core.checks.setSettings(projectId, settings);
      const run = await ctx.core.checks.run(projectId, {
        trigger: 'manual',
        ...(o.domains ? { domains: o.domains } : {}),
        ...(ctx.options.json
          ? {}
          : {
              onDomain: (done: number, total: number, domain: string) =>
                process.stderr.write(`checked ${domain} (${done} of ${total})\n`),
            }),
      });
      if (run.counts.fail > 0) process.exitCode = EXIT_FAILURE;
      return { json: checkJson(run), text: checkText(run) };
    }),
  );
  // The flags are `mm check`'s own (Commander gives options placed after the subcommand's name
  // to the command that declares them): read from it, they change the settings without a run.
  check
    .command('settings')
    .description(
      "show the check settings, or change them with mm check's setting flags (mm check settings --sample 20) without running the checks",
    )
    .action(
      action(async (ctx) => {
        const projectId = await ctx.projectId();
        const changed = settingsFromFlags(check.opts<CheckOptions>());
        const settings = changed
          ? await ctx.core.checks.setSettings(projectId, changed)
          : await ctx.core.checks.settings(projectId);
        return { json: settings, text: settingsText(settings) };
      }),
    );
  check
    .command('show')
    .description('the last stored check run')
    .action(
      action(async (ctx) => {
        const run = await ctx.core.checks.latest(await ctx.projectId());
        if (!run)
          return { json: { results: [] }, text: 'No checks have run in this project yet: run mm check.' };
        return { json: checkJson(run), text: checkText(run) };
      }),
    );
  check
    .command('report')
    .description('a stored run (the newest by default) as an HTML or CSV report')
    .requiredOption('--format <format>', 'html or csv')
    .option(
      '--run <id>',
      'the run id (mm check show --json does not print it; the checks.json of the project does)',
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .action(
      action(async (ctx, o: { format: string; run?: string; out?: string }) => {
        if (o.format !== 'html' && o.format !== 'csv')
          throw new MmError('usage', `--format takes html or csv, not "${o.format}".`, '--format');
        const report = await ctx.core.checks.reportPieces(await ctx.projectId(), o.format, o.run);
        if (!o.out) {
          const file = whole(report);
          return { json: file, text: file.content };
        }
        // written as it is rendered, to a temporary file renamed at the end (no half report)
        await writePiecesTo(o.out, report.pieces);
        return { json: { file: o.out, bytes: (await stat(o.out)).size }, text: `Wrote ${o.out}.` };
      }),
    );
}
