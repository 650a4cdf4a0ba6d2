import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../../core/data-dir';
import { toAppError } from '../../core/errors';
import { DEFAULT_PBA_PORT, DEFAULT_POA_PORT, startSandbox } from '../../sandbox/sandbox';
import { EXIT_FAILURE, type GlobalOptions } from '../context';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is 0-65535 (0: a free one)');
  return n;
}

interface StartOptions {
  poaPort: number;
  pbaPort: number;
  webPort: number;
}

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('the sandbox target: a local POA + PBA for rehearsals');

  sandbox
    .command('start')
    .description(
      'run the sandbox target until SIGINT/SIGTERM (state in --data-dir, default <data dir>/sandbox)',
    )
    .option('--poa-port <port>', 'POA OpenAPI port', port, DEFAULT_POA_PORT)
    .option('--pba-port <port>', 'PBA OpenAPI port', port, DEFAULT_PBA_PORT)
    .option('--web-port <port>', 'port of the web server publishing migrated sites (0: a free one)', port, 0)
    .action(async (opts: StartOptions, command: Command) => {
      // --data-dir is the global option: given, it is the sandbox's own directory.
      const global = command.optsWithGlobals<GlobalOptions>();
      const dataDir = global.dataDir ? resolve(global.dataDir) : join(defaultDataDir(), 'sandbox');
      try {
        const running = await startSandbox({
          dataDir,
          poaPort: opts.poaPort,
          pbaPort: opts.pbaPort,
          webPort: opts.webPort,
        });
        const info = { poaUrl: running.poaUrl, pbaUrl: running.pbaUrl, webUrl: running.webUrl, dataDir };
        process.stdout.write(
          global.json
            ? `${JSON.stringify(info)}\n`
            : `Sandbox target (state in ${dataDir})\nPOA ${running.poaUrl}\nPBA ${running.pbaUrl}\nweb ${running.webUrl}\nCtrl-C stops it.\n`,
        );
        await new Promise<void>((done) => {
          const stop = (): void => void running.close().then(done);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } catch (e) {
        process.stderr.write(`mm: the sandbox cannot start: ${toAppError(e).message}\n`);
        process.exitCode = EXIT_FAILURE;
      }
    });
}
