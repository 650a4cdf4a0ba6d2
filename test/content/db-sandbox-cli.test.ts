/**
 * `mm sandbox start` gives its local db node the database servers named by its options (and
 * none without them): the real CLI process, asked over its real XML-RPC endpoint.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_NODE_CONFIG, parseDbNodeConfig } from '../../electron/core/content/db-node';
import { postXmlRpc } from '../../electron/core/target/http-transport';
import { REPO_ROOT, tempDir } from '../helpers/paths';

/** Starts `mm sandbox start --port 0 --json …`; resolves with its URLs and a stop function. */
async function startCli(
  dataDir: string,
  extra: readonly string[],
): Promise<{ poaUrl: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['electron/cli/mm.mjs', 'sandbox', 'start', '--port', '0', '--json', '--data-dir', dataDir, ...extra],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const info = await new Promise<{ poaUrl: string }>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as { poaUrl: string });
    });
    child.once('close', (code) => reject(new Error(`mm sandbox start exited ${code}: ${err}`)));
  });
  return {
    poaUrl: info.poaUrl,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function nodes(poaUrl: string): Promise<Record<string, { root?: string } | undefined>> {
  const answer = await postXmlRpc({ url: poaUrl }, 'sandbox.nodes', [{}]);
  return (answer.kind === 'value' ? answer.value : {}) as Record<string, { root?: string } | undefined>;
}

describe('mm sandbox start: the db node', () => {
  it('is configured by --db-mysql-socket / --db-postgres-*, and absent again without them', async () => {
    const dataDir = await tempDir('mm-sandbox-db-cli-');
    const first = await startCli(dataDir, [
      '--db-mysql-socket',
      '/run/mysqld/mysqld.sock',
      '--db-postgres-host',
      '/var/run/postgresql',
      '--db-postgres-port',
      '5433',
      '--db-postgres-os-user',
      'postgres',
    ]);
    try {
      const n = await nodes(first.poaUrl);
      expect(n['db']?.root).toBe(join(dataDir, 'nodes', 'db'));
      const file = join(dataDir, 'nodes', 'db', DB_NODE_CONFIG);
      expect(parseDbNodeConfig(await readFile(file, 'utf8'), file)).toEqual({
        mysql: { socket: '/run/mysqld/mysqld.sock' },
        postgresql: { host: '/var/run/postgresql', port: 5433, osUser: 'postgres' },
      });
    } finally {
      await first.stop();
    }
    const second = await startCli(dataDir, []);
    try {
      expect((await nodes(second.poaUrl))['db']).toBeUndefined();
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('refuses a db-node.json that is not what it must be, naming the file and the field', () => {
    expect(() => parseDbNodeConfig('{"mysql": {"port": "x"}}', '/n/db-node.json')).toThrow(
      '/n/db-node.json (mysql): "port" must be a port number.',
    );
    expect(() => parseDbNodeConfig('[1]', '/n/db-node.json')).toThrow('/n/db-node.json must hold an object.');
    expect(() => parseDbNodeConfig('{', '/n/db-node.json')).toThrow(/\/n\/db-node.json is not JSON/);
  });
});
