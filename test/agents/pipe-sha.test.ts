// The agent's SHA-256 of large files through OpenSSL (agents/lib/MigrationAgent/PipeSHA.pm):
// the same tarball and manifest as Digest::SHA, the bytes actually archived when a file changes
// while streamed, Digest::SHA where there is no openssl, and a clear error when openssl dies.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AGENTS, openTar, sha256, tempDir } from '../helpers/layouts/agent-harness';

const PERL = spawnSync('sh', ['-c', 'command -v perl'], { encoding: 'utf8' }).stdout.trim();

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Perl with the agent library, `$MIN_SIZE` lowered so the test's files go through openssl. */
function perl(code: string, args: string[], env: NodeJS.ProcessEnv = process.env, minSize = 1): Run {
  const r = spawnSync(
    PERL,
    [
      '-e',
      `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar; use MigrationAgent::PipeSHA; $MigrationAgent::PipeSHA::MIN_SIZE = ${minSize};\n${code}`,
      ...args,
    ],
    { encoding: 'utf8', env, timeout: 30_000 },
  );
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A tarball with its manifest member's mtime and header checksum blanked: the agent stamps the
 * manifest with the time it is written, so two runs a second apart differ there and only there.
 */
function timeless(tar: Buffer): Buffer {
  const copy = Buffer.from(tar);
  for (let at = 0; at + 512 <= copy.length; at += 512) {
    if (copy.subarray(at, at + 16).toString('latin1') !== 'MANIFEST.sha256\0') continue;
    copy.fill(0, at + 136, at + 156); // mtime (12 bytes) and chksum (8 bytes)
  }
  return copy;
}

const TAR_TREE = `open(my $fh, '>', $ARGV[1]) or die; my $t = MigrationAgent::Tar->new($fh); $t->add_tree($ARGV[0]); $t->finish; close $fh or die;`;

describe('agent: SHA-256 of large files through openssl', () => {
  it('uses openssl when it is on PATH, and Digest::SHA below the size, with MM_AGENT_HASH=perl or without openssl', () => {
    const kind = 'print ref(MigrationAgent::PipeSHA->for_size(5)), "\\n";';
    expect(perl(kind, []).stdout).toBe('MigrationAgent::PipeSHA\n');
    expect(perl(kind, [], process.env, 6).stdout).toBe('Digest::SHA\n');
    expect(perl(kind, [], { ...process.env, MM_AGENT_HASH: 'perl' }).stdout).toBe('Digest::SHA\n');
    expect(perl(kind, [], { ...process.env, PATH: tempDir('no-openssl') }).stdout).toBe('Digest::SHA\n');
  });

  it('writes the same tarball and manifest as Digest::SHA', () => {
    const src = tempDir('pipesha-src');
    const big = randomBytes(3 * 1024 * 1024 + 123);
    writeFileSync(join(src, 'big.bin'), big);
    writeFileSync(join(src, 'empty.txt'), '');
    writeFileSync(join(src, 'small.txt'), 'small');
    const out = tempDir('pipesha-out');
    const viaOpenssl = perl(TAR_TREE, [src, join(out, 'a.tar')]);
    expect(viaOpenssl.stderr).toBe('');
    const viaPerl = perl(TAR_TREE, [src, join(out, 'b.tar')], { ...process.env, MM_AGENT_HASH: 'perl' });
    expect(viaPerl.stderr).toBe('');
    expect(
      timeless(readFileSync(join(out, 'a.tar'))).equals(timeless(readFileSync(join(out, 'b.tar')))),
    ).toBe(true);
    const tar = openTar(join(out, 'a.tar'));
    expect(tar.manifest.get('big.bin')).toBe(sha256(big));
    expect(tar.manifest.get('empty.txt')).toBe(sha256(''));
    expect(tar.manifest.get('small.txt')).toBe(sha256('small'));
  });

  it('a file that grows while streamed: the manifest has the SHA-256 of the bytes archived', () => {
    const dir = tempDir('pipesha-grow');
    const body = randomBytes(700_000);
    writeFileSync(join(dir, 'grow.log'), body);
    const out = join(tempDir('pipesha-growout'), 'g.tar');
    // The file grows (and its first bytes change) right after its header went out.
    const code = [
      'my ($dir, $out) = @ARGV; my $file = "$dir/grow.log"; my $done = 0;',
      'my $orig = \\&MigrationAgent::Tar::_write;',
      '{ no warnings "redefine"; *MigrationAgent::Tar::_write = sub { my $r = $orig->(@_);',
      '  if (!$done && length($_[1]) == 512 && index($_[1], "grow.log") == 0) { $done = 1;',
      '    open(my $a, ">>", $file) or die; print {$a} "MORE" x 40000; close $a; } return $r; }; }',
      "open(my $fh, '>', $out) or die; my $t = MigrationAgent::Tar->new($fh);",
      '$t->add_file("grow.log", $file); $t->finish; close $fh or die;',
    ].join('\n');
    const r = perl(code, [dir, out]);
    expect(r.stderr).toMatch(/grow\.log grew while it was archived/);
    const tar = openTar(out);
    expect(tar.files.get('grow.log')?.equals(body)).toBe(true);
    expect(tar.manifest.get('grow.log')).toBe(sha256(body));
  });

  it('on Linux the archive pipe (to sshd) and the pipe into openssl are 1 MiB deep; the tarball is the same', () => {
    const src = tempDir('pipesha-pipe');
    const big = randomBytes(5 * 1024 * 1024 + 7);
    writeFileSync(join(src, 'big.bin'), big);
    // F_GETPIPE_SZ (1032) read back from the pipes the agent writes into: its stdout, a real pipe
    // (into cat) as under sshd (Node's own stdio 'pipe' is a socket pair), and openssl's stdin
    // while a large file is hashed.
    const code = [
      'my $t = MigrationAgent::Tar->new(\\*STDOUT);',
      'printf STDERR "stdout %d\\n", fcntl(STDOUT, 1032, 0);',
      'my $h = MigrationAgent::PipeSHA->for_size(10);',
      'printf STDERR "openssl %d\\n", fcntl($h->{in}, 1032, 0); $h->hexdigest;',
      'open(my $file, ">", "$ARGV[0]/not-a-pipe") or die;',
      'printf STDERR "file %d\\n", MigrationAgent::Util::grow_pipe($file);',
      '$t->add_tree($ARGV[0]); $t->finish;',
    ].join('\n');
    const r = spawnSync(
      'sh',
      [
        '-c',
        '"$0" "$@" | cat',
        PERL,
        '-e',
        `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar; use MigrationAgent::PipeSHA; $MigrationAgent::PipeSHA::MIN_SIZE = 1;\n${code}`,
        src,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.stderr.toString()).toBe('stdout 1048576\nopenssl 1048576\nfile 0\n');
    expect(r.status).toBe(0);
    const out = join(tempDir('pipesha-pipe-out'), 'out.tar');
    writeFileSync(out, r.stdout);
    const tar = openTar(out);
    expect(tar.files.get('big.bin')?.equals(big)).toBe(true);
    expect(tar.manifest.get('big.bin')).toBe(sha256(big));
  });

  it('openssl killed mid-file: a clear error, not a silent end of the agent', () => {
    const code = [
      'my $h = MigrationAgent::PipeSHA->for_size(10);',
      'die "not through openssl\\n" unless ref($h) eq "MigrationAgent::PipeSHA";',
      'kill "KILL", $h->{pid}; sleep 1;',
      'eval { $h->add("x" x 1048576) for 1 .. 4; $h->hexdigest; 1 } and die "no error\\n";',
      'print $@;',
    ].join('\n');
    const r = perl(code, []);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cannot hash with \S*openssl: /);
  });
});
