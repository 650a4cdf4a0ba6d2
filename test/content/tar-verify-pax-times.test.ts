// The verifier and pax mtime/uid/gid records (issue 12: ownership, modes and mtimes kept): the
// agent writes a time before 1970 or an owner id of 2**21 or more in a pax record, the ustar
// field in range; the mtime the verifier records for resume ("tar sets it last") must be the
// record's, for every chunking; GNU tar's fractional pax times read as whole seconds; and a
// malformed record is refused with an error naming the member, as a bad path is.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarVerifier, type StagedFile } from '../../electron/core/content/tar-verify';
import { MmError } from '../../electron/core/errors';
import { AGENTS, tempDir } from '../helpers/layouts/agent-harness';

const MARCH_1965 = Date.UTC(1965, 2, 1) / 1000;
const BIG_ID = 3_000_000;
const root = process.getuid?.() === 0;

/** touch(1): Node's utimes turns a time before 1970 into now. */
const setTime = (path: string, seconds: number | string): void => {
  execFileSync('touch', ['-h', '-d', `@${seconds}`, path]);
};

function makeTree(): string {
  const dir = tempDir('tvp-tree');
  mkdirSync(join(dir, 'old'));
  writeFileSync(join(dir, 'old', 'small.txt'), 'from 1965\n');
  writeFileSync(join(dir, 'old', 'large.bin'), Buffer.alloc(700_000, 7));
  writeFileSync(join(dir, 'owned.txt'), 'a big owner id\n');
  if (root) chownSync(join(dir, 'owned.txt'), BIG_ID, BIG_ID);
  writeFileSync(join(dir, 'plain.txt'), 'in range\n');
  setTime(join(dir, 'old', 'small.txt'), MARCH_1965);
  setTime(join(dir, 'old', 'large.bin'), MARCH_1965);
  setTime(join(dir, 'owned.txt'), 1_700_000_000);
  setTime(join(dir, 'plain.txt'), 1_600_000_000);
  setTime(join(dir, 'old'), MARCH_1965 - 86_400);
  return dir;
}

function agentTar(dir: string): Buffer {
  const code = `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar; my $t = MigrationAgent::Tar->new(\\*STDOUT); $t->add_tree($ARGV[0]); $t->finish;`;
  const r = spawnSync('perl', ['-e', code, dir], { maxBuffer: 64 * 1024 * 1024 });
  expect(r.stderr.toString()).toBe('');
  return r.stdout;
}

async function verify(tar: Buffer, chunk: number): Promise<StagedFile[]> {
  const v = new TarVerifier('site:test.example');
  const chunks = function* (): Generator<Buffer> {
    for (let i = 0; i < tar.length; i += chunk) yield tar.subarray(i, i + chunk);
  };
  await pipeline(
    Readable.from(chunks()),
    v,
    new Writable({
      write(_c: Buffer, _e, cb) {
        cb();
      },
    }),
  );
  expect(v.result).toBeDefined();
  return v.staged;
}

/** The tarball with one pax record's value replaced by another of the same length. */
function withRecord(tar: Buffer, from: string, to: string): Buffer {
  expect(to.length).toBe(from.length);
  const at = tar.indexOf(from, 0, 'latin1');
  expect(at, `record ${from.trim()}`).toBeGreaterThan(0);
  const bad = Buffer.from(tar);
  bad.write(to, at, 'latin1');
  return bad;
}

async function refusal(tar: Buffer): Promise<MmError> {
  const e = await verify(tar, 4096).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MmError);
  return e as MmError;
}

describe('TarVerifier: pax mtime, uid and gid records', () => {
  const dir = makeTree();
  const tar = agentTar(dir);

  it("records each file's real mtime (before 1970 from the pax record) for every chunking", async () => {
    for (const chunk of [100, 512, 4096, 65536, tar.length]) {
      const mtimes = new Map((await verify(tar, chunk)).map((f) => [f.name, f.mtime]));
      expect(Object.fromEntries(mtimes), `chunks of ${chunk}`).toEqual({
        'old/large.bin': MARCH_1965,
        'old/small.txt': MARCH_1965,
        'owned.txt': 1_700_000_000,
        'plain.txt': 1_600_000_000,
      });
    }
  });

  it("reads GNU tar's pax times with a fraction as whole seconds", async () => {
    const d = tempDir('tvp-gnu');
    writeFileSync(join(d, 'a.txt'), 'gnu\n');
    setTime(join(d, 'a.txt'), '-152668800.25');
    writeFileSync(join(d, 'MANIFEST.sha256'), execFileSync('sha256sum', ['a.txt'], { cwd: d }));
    const gnu = execFileSync('tar', ['--format=posix', '-cf', '-', '-C', d, 'a.txt', 'MANIFEST.sha256']);
    expect(gnu.toString('latin1')).toMatch(/ mtime=-152668800\.25\n|mtime=-152668799\.75/);
    const [a] = await verify(gnu, 512);
    // The file's whole seconds as stat has them (-152668800.25 s is second -152668801 plus 0.75).
    expect(a?.mtime).toBe(Math.floor(lstatSync(join(d, 'a.txt')).mtimeMs / 1000));
    expect(a?.mtime).toBe(-152_668_801);
  });

  it('refuses a malformed pax mtime record, naming the member', async () => {
    const bad = withRecord(tar, ` mtime=${MARCH_1965}\n`, ` mtime=${String(MARCH_1965).replace('5', 'x')}\n`);
    const e = await refusal(bad);
    expect(e.message).toMatch(/member "old\/[a-z]+\.[a-z]+" has a malformed pax mtime record "-1x2668800"/);
    expect(e.message).toContain('site:test.example');
    // A folder's record is checked too, though tar sets its time.
    const dirBad = withRecord(tar, ` mtime=${MARCH_1965 - 86_400}\n`, ` mtime=12345678.x\n`);
    expect((await refusal(dirBad)).message).toMatch(/member "old" has a malformed pax mtime record/);
  });

  it.runIf(root)('refuses a malformed pax uid or gid record, naming the member', async () => {
    for (const key of ['uid', 'gid']) {
      const bad = withRecord(tar, ` ${key}=${BIG_ID}\n`, ` ${key}=-${String(BIG_ID).slice(1)}\n`);
      expect((await refusal(bad)).message).toMatch(
        new RegExp(`member "owned.txt" has a malformed pax ${key} record "-000000"`),
      );
    }
  });
});
