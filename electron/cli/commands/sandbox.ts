import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { defaultDataDir } from '../../core/data-dir';
import { toAppError } from '../../core/errors';
import type { DbNodeConfig } from '../../core/content/db-node';
import { configureDbNode } from '../../sandbox/nodes';
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
  dbMysqlSocket?: string;
  dbMysqlUser?: string;
  dbPostgresHost?: string;
  dbPostgresPort?: number;
  dbPostgresUser?: string;
  dbPostgresOsUser?: string;
}

/**
 * The sandbox's db node: the database servers given (administered by socket authentication,
 * no password), or none — then database content is refused with a message naming these options.
 */
export function sandboxDbConfig(o: StartOptions): DbNodeConfig | undefined {
  const mysql = o.dbMysqlSocket
    ? { socket: resolve(o.dbMysqlSocket), ...(o.dbMysqlUser ? { user: o.dbMysqlUser } : {}) }
    : undefined;
  const postgresql = o.dbPostgresHost
    ? {
        host: o.dbPostgresHost.startsWith('/') ? resolve(o.dbPostgresHost) : o.dbPostgresHost,
        ...(o.dbPostgresPort ? { port: o.dbPostgresPort } : {}),
        ...(o.dbPostgresUser ? { user: o.dbPostgresUser } : {}),
        ...(o.dbPostgresOsUser ? { osUser: o.dbPostgresOsUser } : {}),
      }
    : undefined;
  if (!mysql && !postgresql) return undefined;
  return { ...(mysql ? { mysql } : {}), ...(postgresql ? { postgresql } : {}) };
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
    .option('--db-mysql-socket <path>', "the db node's MariaDB/MySQL: its socket (root by unix_socket)")
    .option('--db-mysql-user <user>', 'the MariaDB/MySQL administrator (default root)')
    .option('--db-postgres-host <dir|host>', "the db node's PostgreSQL: its socket directory or address")
    .option('--db-postgres-port <port>', 'its port (default 5432)', port)
    .option('--db-postgres-user <user>', 'its administrator role (default postgres)')
    .option('--db-postgres-os-user <user>', 'the system user psql runs as for peer authentication')
    .action(async (opts: StartOptions, command: Command) => {
      // --data-dir is the global option: given, it is the sandbox's own directory.
      const global = command.optsWithGlobals<GlobalOptions>();
      const dataDir = global.dataDir ? resolve(global.dataDir) : join(defaultDataDir(), 'sandbox');
      try {
        await configureDbNode(dataDir, sandboxDbConfig(opts));
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
