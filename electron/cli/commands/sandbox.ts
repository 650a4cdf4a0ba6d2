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
  port?: number;
  poaPort?: number;
  pbaPort?: number;
  webPort?: number;
}

/**
 * The three endpoints' ports: each one given wins; --port 0 puts the others on free ports (for
 * scripts and parallel runs), --port N on N, N+1 and N+2; otherwise POA 8440, PBA 5224 and a
 * free port for the web server.
 */
export function sandboxPorts(o: StartOptions): { poaPort: number; pbaPort: number; webPort: number } {
  const base = o.port;
  const at = (offset: number, fallback: number): number =>
    base === undefined ? fallback : base === 0 ? 0 : base + offset;
  if (base !== undefined && base + 2 > 65535)
    throw new InvalidArgumentError('--port leaves no room for 3 ports');
  return {
    poaPort: o.poaPort ?? at(0, DEFAULT_POA_PORT),
    pbaPort: o.pbaPort ?? at(1, DEFAULT_PBA_PORT),
    webPort: o.webPort ?? at(2, 0),
  };
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
    .option('--port <port>', 'ports of every endpoint: 0 picks free ones, N uses N, N+1 and N+2', port)
    .option('--poa-port <port>', `POA OpenAPI port (default ${DEFAULT_POA_PORT})`, port)
    .option('--pba-port <port>', `PBA OpenAPI port (default ${DEFAULT_PBA_PORT})`, port)
    .option(
      '--web-port <port>',
      'port of the web server publishing migrated sites (default: a free one)',
      port,
    )
    .action(async (opts: StartOptions, command: Command) => {
      // --data-dir is the global option: given, it is the sandbox's own directory.
      const global = command.optsWithGlobals<GlobalOptions>();
      const dataDir = global.dataDir ? resolve(global.dataDir) : join(defaultDataDir(), 'sandbox');
      try {
        const running = await startSandbox({ dataDir, ...sandboxPorts(opts) });
        // --json: one line with the URLs, so a script can read the free ports it got.
        const info = {
          poaUrl: running.poaUrl,
          pbaUrl: running.pbaUrl,
          webUrl: running.webUrl,
          dataDir,
          pid: process.pid,
        };
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
