/**
 * The target node's side of a re-sync: what a published content folder holds now (SHA-256 per
 * file, its folders and symlinks, read on the node, nothing fetched), merging the changed files
 * into it, removing the files, links and empty folders the source no longer has, and the
 * marker written last. Every path travels as an
 * argument or on stdin, never spliced into a shell script.
 */
import { Readable } from 'node:stream';
import type { Transport } from '../agent/transport';
import { MmError } from '../errors';

/** sha256sum of every regular file below $1, names relative ("./" removed by the parser). */
const LIST =
  'if [ -d "$1" ]; then cd -- "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum; fi';
/** $1 the merged folder, $2 the published folder: copies over, keeping modes and times. */
const MERGE = 'set -e\nmkdir -p -- "$2"\ncp -a -- "$1"/. "$2"/\nrm -rf -- "$1"';
/** Removes the NUL-separated names on stdin below $1 (regular files only: never a folder). */
const REMOVE = 'cd -- "$1" && xargs -0 -r rm -f --';
/** Files below $1 changed after $2 (the marker of the last copy): not put there by us. */
const NEWER = 'if [ -d "$1" ] && [ -e "$2" ]; then cd -- "$1" && find . -type f -newer "$2" -print0; fi';
/** Every directory below $1 (NUL-separated, "./" prefixed). */
const LIST_DIRS = 'if [ -d "$1" ]; then cd -- "$1" && find . -mindepth 1 -type d -print0; fi';
/** Every symlink below $1 and its target, NUL-separated pairs (readlink, never followed). */
const LIST_LINKS =
  'if [ -d "$1" ]; then cd -- "$1" && find . -type l -exec sh -c \'for l; do printf "%s\\0%s\\0" "$l" "$(readlink -- "$l")"; done\' sh {} +; fi';
/** Directories below $1 changed after $2 (the marker of the last copy): something wrote there since. */
const NEWER_DIRS =
  'if [ -d "$1" ] && [ -e "$2" ]; then cd -- "$1" && find . -mindepth 1 -type d -newer "$2" -print0; fi';
/** Removes the NUL-separated directories on stdin below $1 that are empty (in order), naming each removed. */
const RMDIRS =
  'cd -- "$1" && xargs -0 -r sh -c \'for d; do rmdir -- "$d" 2>/dev/null && printf "%s\\0" "$d"; done; exit 0\' sh';
const MARK = 'set -e\nmkdir -p -- "$(dirname -- "$1")"\nprintf "%s\\n" "$2" > "$1.tmp"\nmv -- "$1.tmp" "$1"';

const LONG = 10 * 60 * 1000;

async function run(
  node: Transport,
  argv: readonly string[],
  what: string,
  stdin?: Readable,
): Promise<string> {
  const r = await node.exec(argv, {
    timeoutMs: LONG,
    maxOutputBytes: 512 * 1024 * 1024,
    ...(stdin ? { stdin } : {}),
  });
  if (r.code !== 0)
    throw new MmError(
      'content-node-failed',
      `${what} on ${node.label} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
      argv.join(' '),
    );
  return r.stdout;
}

/** sha256sum(1) output: "<hex>  <name>", a leading "\" when the name carries escapes. */
export function parseSha256sum(text: string): Map<string, { sha256: string }> {
  const out = new Map<string, { sha256: string }>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const escaped = line.startsWith('\\');
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(escaped ? line.slice(1) : line);
    if (!m) continue;
    let name = m[2] ?? '';
    if (escaped) name = name.replace(/\\(\\|n)/g, (_x, c: string) => (c === 'n' ? '\n' : '\\'));
    out.set(name.replace(/^\.\//, ''), { sha256: m[1] ?? '' });
  }
  return out;
}

export async function listOnNode(node: Transport, dir: string): Promise<Map<string, { sha256: string }>> {
  return parseSha256sum(await run(node, ['sh', '-c', LIST, 'sh', dir], `Listing ${dir}`));
}

/** Names (relative) of the files below `dir` written after `marker`: the target's own, never deleted. */
export async function newerOnNode(node: Transport, dir: string, marker: string): Promise<Set<string>> {
  const out = await run(
    node,
    ['sh', '-c', NEWER, 'sh', dir, marker],
    `Listing what changed in ${dir} since the last copy`,
  );
  return new Set(
    out
      .split('\0')
      .filter((n) => n !== '')
      .map((n) => n.replace(/^\.\//, '')),
  );
}

export async function mergeOnNode(node: Transport, from: string, into: string): Promise<void> {
  await run(node, ['sh', '-c', MERGE, 'sh', from, into], `Merging the changed files into ${into}`);
}

export async function removeOnNode(node: Transport, dir: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const list = Buffer.from(names.map((n) => `${n}\0`).join(''), 'utf8');
  await run(
    node,
    ['sh', '-c', REMOVE, 'sh', dir],
    `Removing ${names.length} file(s) from ${dir}`,
    Readable.from([list]),
  );
}

export async function writeMarker(node: Transport, marker: string, content: unknown): Promise<void> {
  await run(node, ['sh', '-c', MARK, 'sh', marker, JSON.stringify(content)], `Writing ${marker}`);
}

const relative = (n: string): string => n.replace(/^\.\//, '');
const nulList = (out: string): string[] => out.split('\0').filter((n) => n !== '');

/** The directories (empty ones included) and symlinks below `dir`, as the agent lists the source's. */
export async function treeOnNode(
  node: Transport,
  dir: string,
): Promise<{ dirs: Set<string>; links: Map<string, string> }> {
  const dirs = new Set(
    nulList(await run(node, ['sh', '-c', LIST_DIRS, 'sh', dir], `Listing the folders of ${dir}`)).map(
      relative,
    ),
  );
  const pairs = (await run(node, ['sh', '-c', LIST_LINKS, 'sh', dir], `Listing the links of ${dir}`)).split(
    '\0',
  );
  const links = new Map<string, string>();
  for (let i = 0; i + 1 < pairs.length; i += 2) links.set(relative(pairs[i] ?? ''), pairs[i + 1] ?? '');
  return { dirs, links };
}

/** Directories below `dir` written in after `marker`: the target's own doing, never removed. */
export async function newerDirsOnNode(node: Transport, dir: string, marker: string): Promise<Set<string>> {
  const out = await run(
    node,
    ['sh', '-c', NEWER_DIRS, 'sh', dir, marker],
    `Listing the folders changed in ${dir}`,
  );
  return new Set(nulList(out).map(relative));
}

/**
 * Removes the directories below `dir` that are empty, in the order given (deepest first): one
 * still holding something (the target's own files) stays. Returns the ones removed.
 */
export async function removeEmptyDirsOnNode(
  node: Transport,
  dir: string,
  names: readonly string[],
): Promise<string[]> {
  if (names.length === 0) return [];
  const list = Buffer.from(names.map((n) => `${n}\0`).join(''), 'utf8');
  const out = await run(
    node,
    ['sh', '-c', RMDIRS, 'sh', dir],
    `Removing empty folders from ${dir}`,
    Readable.from([list]),
  );
  return nulList(out);
}
