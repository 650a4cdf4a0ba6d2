/**
 * The agent's tar writer (MigrationAgent::Tar) run by itself in perl, as the agent tests drive
 * it: a whole tree archived, and one file changed on disk right after its header was written
 * (the header then carries the old size) — the two ways the writer must cope with a file that
 * grows or shrinks while it is streamed.
 */
import { spawnSync } from 'node:child_process';
import { AGENTS } from '../helpers/layouts/agent-harness';

/** Runs the Perl `lines` with `args` (its @ARGV): the exit code and what it said on stderr. */
function runPerl(lines: readonly string[], args: readonly string[], timeoutMs?: number): PerlRun {
  const r = spawnSync('perl', ['-e', lines.join('\n'), ...args], {
    encoding: 'utf8',
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  return { code: r.status ?? -1, stderr: r.stderr };
}

export interface PerlRun {
  readonly code: number;
  readonly stderr: string;
}

/** Runs the writer over `dir` (add_tree, finish) into `out`. */
export function archiveTree(dir: string, out: string): PerlRun {
  const code = [
    `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar;`,
    "my ($dir, $out) = @ARGV; open(my $fh, '>', $out) or die;",
    'my $t = MigrationAgent::Tar->new($fh); $t->add_tree($dir); $t->finish; close $fh or die;',
  ];
  return runPerl(code, [dir, out]);
}

/**
 * Archives `<dir>/<name>` with add_file, a hook changing the file right after its header was
 * written — 'grow' appends "MORE" `growBy` times, 'shrink' truncates it to 3 bytes — then
 * add_data("after.txt", "after") and finish().
 */
export function archiveChanging(
  dir: string,
  name: string,
  change: 'grow' | 'shrink',
  out: string,
  growBy = 1,
): PerlRun {
  const code = [
    `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar;`,
    'my ($dir, $name, $change, $out, $times) = @ARGV; my $file = "$dir/$name"; my $done = 0;',
    'my $orig = \\&MigrationAgent::Tar::_write;',
    '{ no warnings "redefine"; *MigrationAgent::Tar::_write = sub { my $r = $orig->(@_);',
    '  if (!$done && length($_[1]) == 512 && index($_[1], $name) == 0) { $done = 1;',
    '    if ($change eq "grow") { open(my $a, ">>", $file) or die; print {$a} "MORE" x $times; close $a; }',
    '    else { truncate($file, 3) or die; } } return $r; }; }',
    "open(my $fh, '>', $out) or die; my $t = MigrationAgent::Tar->new($fh);",
    '$t->add_file($name, $file); $t->add_data("after.txt", "after"); $t->finish; close $fh or die;',
  ];
  return runPerl(code, [dir, name, change, out, String(growBy)]);
}

/**
 * Runs the writer over `dir` (add_tree, finish) into `out` with the agent's clock fixed at `now`
 * (the manifest member's mtime), optionally resuming after the member `resumeAfter`.
 */
export function archiveTreeAt(dir: string, out: string, now: number, resumeAfter?: string): PerlRun {
  const code = [
    'use strict; use warnings;',
    `BEGIN { *CORE::GLOBAL::time = sub () { ${Math.floor(now)} } }`,
    `use lib '${AGENTS}/lib'; use MigrationAgent::Tar;`,
    "my ($dir, $out, $after) = @ARGV; open(my $fh, '>', $out) or die;",
    'my $t = MigrationAgent::Tar->new($fh); $t->resume_after($after) if length $after;',
    '$t->add_tree($dir); $t->finish; close $fh or die;',
  ];
  return runPerl(code, [dir, out, resumeAfter ?? '']);
}

/**
 * The race the small-file path must survive: `<dir>/<name>` is lstat-ed as a regular file, then
 * replaced by a fifo, a symlink or a folder before the writer opens it (_add_regular is handed
 * the old lstat, as add_tree would hand it), then finish().
 */
export function archiveSwapped(
  dir: string,
  name: string,
  swap: 'fifo' | 'symlink' | 'dir',
  out: string,
): PerlRun {
  const code = [
    `use strict; use warnings; use lib '${AGENTS}/lib'; use MigrationAgent::Tar;`,
    'my ($dir, $name, $swap, $out) = @ARGV; my $p = "$dir/$name";',
    'my @st = lstat $p or die "lstat: $!"; unlink $p or die "unlink: $!";',
    'if ($swap eq "fifo") { system("mkfifo", $p) == 0 or die "mkfifo"; }',
    'elsif ($swap eq "symlink") { symlink("/etc/hostname", $p) or die "symlink: $!"; }',
    'else { mkdir $p or die "mkdir: $!"; }',
    "open(my $fh, '>', $out) or die; my $t = MigrationAgent::Tar->new($fh);",
    'MigrationAgent::Tar::_add_regular($t, $name, $p, @st[2, 4, 5, 7, 9]); $t->finish; close $fh or die;',
  ];
  return runPerl(code, [dir, name, swap, out], 20_000);
}
