/**
 * `mm worker` (take work units of running batches of a shared project), `mm workers start`
 * (spread a batch over workers) and `mm workers status` (the workers, their units and their
 * throughput), `mm workers pause|resume|cancel` (a spread batch). Issue 15.
 */
import type { Command } from 'commander';
import { MmError } from '../../core/errors';
import { closeAllPgStores } from '../../core/store/postgres-store';
import { type SpreadAction, controlSpreadBatch } from '../../core/workers/spread-control';
import { runWorker, spreadStatus, startSpreadBatch, waitForSpreadBatch } from '../../core/workers/worker';
import { action, table } from '../context';

const list = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');

function whole(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new MmError('invalid-input', `${what} must be a whole number above 0, not "${v}".`, what);
  return n;
}

export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description(
      'take work units of running batches of a shared project (until stopped with Ctrl-C / SIGTERM)',
    )
    .option('--concurrency <n>', 'units run at once by this worker', '1')
    .option('--servers <ids>', 'only the units of these source servers (comma-separated ids or names)')
    .option('--lease <seconds>', 'how long a unit is held before another worker may take it over')
    .option('--until-idle', 'stop when no unit of any running batch is left')
    .action(
      action(
        async (ctx, opts: { concurrency: string; servers?: string; lease?: string; untilIdle?: boolean }) => {
          // a worker has the project open: a move from elsewhere is refused while it runs (the
          // lease is taken here, as by every command that opens a project)
          const projectId = await ctx.projectId();
          const names = list(opts.servers);
          const servers = names
            ? await Promise.all(names.map(async (n) => (await ctx.core.servers.get(projectId, n)).id))
            : undefined;
          const controller = new AbortController();
          const stop = (): void => controller.abort();
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
          const lease = whole(opts.lease, '--lease');
          try {
            const result = await runWorker(ctx.core, projectId, {
              concurrency: whole(opts.concurrency, '--concurrency') ?? 1,
              ...(servers ? { servers } : {}),
              ...(lease ? { leaseSeconds: lease } : {}),
              signal: controller.signal,
              untilIdle: opts.untilIdle === true,
              say: (line) => process.stderr.write(`${line}\n`),
            });
            return {
              json: result,
              text: `Worker ${result.workerId} stopped: ${result.unitsDone} units, ${result.stepsDone} steps.`,
            };
          } finally {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            await closeAllPgStores();
          }
        },
      ),
    );

  const workers = program.command('workers').description('batches spread over workers (shared projects)');
  workers
    .command('start')
    .description('plan a batch and queue its units for `mm worker` processes')
    .option('--account <ids>', 'only these accounts (comma-separated)')
    .option('--domain <names>', 'only these domains (comma-separated)')
    .option('--step-concurrency <n>', 'steps in flight per unit', '4')
    .option('--lease <seconds>', 'how long a worker holds a unit before another may take it over')
    .option('--force <reason>', 'run without a signed-off rehearsal of this plan, for this recorded reason')
    .option('--wait <seconds>', 'wait up to this long for the batch to end')
    .action(
      action(
        async (
          ctx,
          opts: {
            account?: string;
            domain?: string;
            stepConcurrency: string;
            lease?: string;
            force?: string;
            wait?: string;
          },
        ) => {
          const projectId = await ctx.projectId();
          const accounts = list(opts.account);
          const domains = list(opts.domain);
          const lease = whole(opts.lease, '--lease');
          try {
            const started = await startSpreadBatch(ctx.core, projectId, {
              ...(accounts ? { accounts } : {}),
              ...(domains ? { domains } : {}),
              concurrency: whole(opts.stepConcurrency, '--step-concurrency') ?? 4,
              ...(lease ? { leaseSeconds: lease } : {}),
              ...(opts.force !== undefined ? { force: opts.force } : {}),
            });
            const wait = whole(opts.wait, '--wait');
            if (wait === undefined)
              return {
                json: started,
                text: `Batch ${started.jobId} queued in ${started.units} units for workers.`,
              };
            const job = await waitForSpreadBatch(ctx.core, projectId, started.jobId, wait * 1000);
            return { json: { ...started, state: job.state }, text: `Batch ${started.jobId} ${job.state}.` };
          } finally {
            await closeAllPgStores();
          }
        },
      ),
    );

  workers
    .command('status')
    .description('the workers of the project, their units and throughput')
    .action(
      action(async (ctx) => {
        const projectId = await ctx.projectId();
        try {
          const status = await spreadStatus(ctx.core, projectId);
          const text = [
            table(
              ['worker', 'units', 'steps', 'steps/min', 'state'],
              status.workers.map((w) => [
                w.workerId,
                String(w.unitsDone),
                String(w.stepsDone),
                String(w.stepsPerMinute),
                w.stoppedAt ? 'stopped' : 'running',
              ]),
            ),
            ...status.batches.map(
              (b) =>
                `batch ${b.jobId.slice(0, 8)} ${b.state}: ` +
                ['queued', 'running', 'done', 'failed', 'paused', 'cancelled']
                  .map((st) => `${b.units.filter((u) => u.state === st).length} ${st}`)
                  .join(', '),
            ),
          ].join('\n');
          return { json: status, text };
        } finally {
          await closeAllPgStores();
        }
      }),
    );

  const controls: [SpreadAction, string][] = [
    ['pause', 'workers finish the step in hand and take no new unit of the batch'],
    ['resume', 'workers go on with a paused batch'],
    ['cancel', 'drop the queued units; units in hand finish their step and stop'],
  ];
  for (const [name, description] of controls)
    workers
      .command(name)
      .description(description)
      .option('--job <id>', "the batch (default: the project's unfinished spread batch)")
      .action(
        action(async (ctx, opts: { job?: string }) => {
          const projectId = await ctx.projectId();
          try {
            const result = await controlSpreadBatch(ctx.core, projectId, name, {
              ...(opts.job !== undefined ? { jobId: opts.job } : {}),
            });
            return {
              json: result,
              text:
                `Batch ${result.jobId} ${result.state}.` +
                (result.dropped > 0 ? ` ${result.dropped} queued units dropped.` : ''),
            };
          } finally {
            await closeAllPgStores();
          }
        }),
      );
}
