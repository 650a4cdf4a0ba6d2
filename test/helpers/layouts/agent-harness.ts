// Runs the Perl agents the way the manager does (perl + argument vector, never a shell),
// validates their XML with xmllint against agents/xsd, parses it, and opens their tarballs.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, lstatSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { expect } from 'vitest';
import { madeTempDirSync } from '../temp-dirs';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
export const AGENTS = join(REPO, 'agents');
export const XSD = join(AGENTS, 'xsd');

export interface AgentRun {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export function runAgent(
  agent: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; script?: string } = {},
): Promise<AgentRun> {
  const script = opts.script ?? join(AGENTS, agent, 'agent.pl');
  return new Promise((res) => {
    execFile(
      'perl',
      [script, ...args],
      { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        res({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

/** A fresh temporary directory, removed when the test file ends (../temp-dirs.ts). */
export function tempDir(prefix: string): string {
  return madeTempDirSync(`mm-${prefix}-`);
}

/** xmllint --noout --schema; returns '' when valid, else xmllint's messages. */
export function schemaErrors(xml: Buffer | string, xsd: string): string {
  const dir = tempDir('xml');
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', join(XSD, xsd), file], { stdio: 'pipe' });
    return '';
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return err.stderr ? err.stderr.toString('utf8') : String(e);
  }
}

export type XNode = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
});

export function parseXml(xml: Buffer | string): XNode {
  const doc: unknown = parser.parse(typeof xml === 'string' ? xml : xml.toString('utf8'));
  return doc as XNode;
}

export function kids(n: XNode | undefined, name: string): XNode[] {
  if (!n) return [];
  const v = n[name];
  if (v === undefined || v === null) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) =>
    typeof x === 'object' && x !== null ? (x as XNode) : ({ '#text': String(x) } as XNode),
  );
}

export function kid(n: XNode | undefined, name: string): XNode | undefined {
  return kids(n, name)[0];
}

export function attr(n: XNode | undefined, name: string): string | undefined {
  if (!n) return undefined;
  const v = n[`@${name}`];
  return typeof v === 'string' ? v : undefined;
}

export function text(n: XNode | undefined): string {
  if (!n) return '';
  const v = n['#text'];
  return typeof v === 'string' ? v : '';
}

export function textOf(n: XNode | undefined, name: string): string[] {
  if (!n) return [];
  const v = n[name];
  if (v === undefined) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) => (typeof x === 'string' ? x : text(x as XNode)));
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface TarContent {
  /** regular files: member name → content */
  readonly files: Map<string, Buffer>;
  readonly dirs: string[];
  readonly symlinks: Map<string, string>;
  /** member names in archive order, as `tar -tf` lists them */
  readonly members: string[];
  readonly manifest: Map<string, string>;
}

/** Extracts a tarball with the system tar and reads what it held. */
export function openTar(tarFile: string): TarContent {
  const members = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '');
  const out = tempDir('untar');
  execFileSync('tar', ['-xf', tarFile, '-C', out]);
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  const symlinks = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const n of readdirSync(join(out, rel))) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(out, r));
      if (st.isSymbolicLink())
        symlinks.set(r, execFileSync('readlink', [join(out, r)], { encoding: 'utf8' }).trim());
      else if (st.isDirectory()) {
        dirs.push(r);
        walk(r);
      } else files.set(r, readFileSync(join(out, r)));
    }
  };
  walk('');
  const manifest = new Map<string, string>();
  const m = files.get('MANIFEST.sha256');
  if (m) {
    for (const line of m.toString('utf8').split('\n')) {
      if (!line) continue;
      const escaped = line.startsWith('\\');
      const body = escaped ? line.slice(1) : line;
      const hex = body.slice(0, 64);
      let name = body.slice(66);
      if (escaped) name = name.replace(/\\(\\|n)/g, (_s, c: string) => (c === 'n' ? '\n' : '\\'));
      manifest.set(name, hex);
    }
  }
  return { files, dirs, symlinks, members, manifest };
}

export function fileExists(p: string): boolean {
  return existsSync(p);
}

/** Every regular file below a directory, relative paths → content. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (rel: string): void => {
    for (const n of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${n}` : n;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else if (st.isFile()) files.set(r, readFileSync(join(dir, r)));
    }
  };
  walk('');
  return files;
}

// --- assertions every agent's tests share --------------------------------------------------

/** Runs an agent that must succeed: nothing on stderr, exit 0, output valid against `xsd`. */
export async function agentXml(
  agent: string,
  args: readonly string[],
  xsd: string,
  env?: NodeJS.ProcessEnv,
): Promise<XNode> {
  const r = await runAgent(agent, args, env ? { env } : {});
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(schemaErrors(r.stdout, xsd)).toBe('');
  return parseXml(r.stdout);
}

/** domainContent into a fresh folder, which must succeed; returns the opened tarball. */
export async function agentContent(
  agent: string,
  root: string,
  domainId: string,
  contentId: string,
  env?: NodeJS.ProcessEnv,
): Promise<TarContent & { file: string }> {
  const out = join(tempDir('content'), 'c');
  const r = await runAgent(
    agent,
    [
      `--root=${root}`,
      '--extract=domainContent',
      `--domain-id=${domainId}`,
      `--content-id=${contentId}`,
      `--file=${out}`,
    ],
    env ? { env } : {},
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { ...openTar(`${out}.tar`), file: `${out}.tar` };
}

/** The tarball holds exactly the files below `dir`, byte for byte, and a manifest of them, last. */
export function expectTarHoldsTree(tar: TarContent, dir: string): void {
  expect(tar.members[tar.members.length - 1]).toBe('MANIFEST.sha256');
  const files = new Map([...tar.files].filter(([n]) => n !== 'MANIFEST.sha256'));
  const expected = readTree(dir);
  expect(expected.size).toBeGreaterThan(0);
  expect([...files.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [n, data] of expected) expect(files.get(n)?.equals(data), n).toBe(true);
  expect([...tar.manifest.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [n, hex] of tar.manifest) expect(hex).toBe(sha256(files.get(n) ?? Buffer.alloc(0)));
}

/** Each [domain id, content id] is refused with one line on stderr, and no file is left. */
export async function expectContentRefused(
  agent: string,
  root: string,
  cases: readonly (readonly [string, string])[],
): Promise<void> {
  const dir = tempDir('refused');
  for (const [d, c] of cases) {
    const r = await runAgent(agent, [
      `--root=${root}`,
      '--extract=domainContent',
      `--domain-id=${d}`,
      `--content-id=${c}`,
      `--file=${dir}/out`,
    ]);
    expect(r.code, `${d} ${c}`).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stdout.length).toBe(0);
  }
  expect(readTree(dir).size).toBe(0);
}
