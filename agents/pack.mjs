#!/usr/bin/env node
// Packs an agent for deployment: <outDir>/agent.tar (agent.pl, agent.manifest, README.md,
// lib/ with the shared library, xsd/) and <outDir>/agent.manifest beside it.
// Usage: node agents/pack.mjs <agent-name> <out-dir>      (dependency-free: node built-ins)
import {
  readFileSync,
  readdirSync,
  statSync,
  mkdirSync,
  writeFileSync,
  renameSync,
  existsSync,
} from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENTS_DIR = dirname(fileURLToPath(import.meta.url));

function octal(value, width) {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block (names up to 100 bytes, or split into prefix/name up to 255). */
function header(name, size, mode, mtime, type) {
  const buf = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
    if (cut < 0 || Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155)
      throw new Error(`name too long for ustar: ${name}`);
  }
  buf.write(base, 0, 100);
  buf.write(octal(mode & 0o7777, 8), 100);
  buf.write(octal(0, 8), 108);
  buf.write(octal(0, 8), 116);
  buf.write(octal(size, 12), 124);
  buf.write(octal(Math.floor(mtime), 12), 136);
  buf.write('        ', 148);
  buf.write(type, 156);
  buf.write('ustar\0', 257);
  buf.write('00', 263);
  buf.write(prefix, 345, 155);
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return buf;
}

function collect(dir, prefix, out) {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    const st = statSync(p);
    if (st.isDirectory()) {
      out.push({ name: `${prefix}${n}/`, path: p, dir: true, mode: st.mode, mtime: st.mtimeMs / 1000 });
      collect(p, `${prefix}${n}/`, out);
    } else if (st.isFile())
      out.push({ name: `${prefix}${n}`, path: p, dir: false, mode: st.mode, mtime: st.mtimeMs / 1000 });
  }
}

/** The files that go into an agent's package, as {name, path}. */
export function agentFiles(name) {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new Error(`bad agent name: ${name}`);
  const dir = join(AGENTS_DIR, name);
  for (const f of ['agent.pl', 'agent.manifest']) {
    if (!existsSync(join(dir, f))) throw new Error(`agent ${name}: ${f} is missing`);
  }
  const entries = [];
  for (const f of ['agent.pl', 'agent.manifest', 'README.md']) {
    const p = join(dir, f);
    if (existsSync(p)) {
      const st = statSync(p);
      entries.push({
        name: f,
        path: p,
        dir: false,
        mode: f === 'agent.pl' ? 0o755 : st.mode,
        mtime: st.mtimeMs / 1000,
      });
    }
  }
  const agentLib = join(dir, 'lib');
  entries.push({
    name: 'lib/',
    path: join(AGENTS_DIR, 'lib'),
    dir: true,
    mode: 0o755,
    mtime: Date.now() / 1000,
  });
  collect(join(AGENTS_DIR, 'lib'), 'lib/', entries);
  if (existsSync(agentLib)) collect(agentLib, 'lib/', entries);
  entries.push({
    name: 'xsd/',
    path: join(AGENTS_DIR, 'xsd'),
    dir: true,
    mode: 0o755,
    mtime: Date.now() / 1000,
  });
  collect(join(AGENTS_DIR, 'xsd'), 'xsd/', entries);
  return entries;
}

/**
 * Packs agents/<name> into <outDir>/agent.tar and copies its manifest to <outDir>/agent.manifest.
 * Returns the two paths and the member names.
 */
export function packAgent(name, outDir) {
  const entries = agentFiles(name);
  mkdirSync(outDir, { recursive: true });
  const parts = [];
  for (const e of entries) {
    if (e.dir) {
      parts.push(header(e.name, 0, 0o755, e.mtime, '5'));
      continue;
    }
    const data = readFileSync(e.path);
    parts.push(
      header(e.name, data.length, e.mode, e.mtime, '0'),
      data,
      Buffer.alloc((512 - (data.length % 512)) % 512),
    );
  }
  parts.push(Buffer.alloc(1024));
  const tarPath = resolve(outDir, 'agent.tar');
  const manifestPath = resolve(outDir, 'agent.manifest');
  writeFileSync(`${tarPath}.part`, Buffer.concat(parts));
  renameSync(`${tarPath}.part`, tarPath);
  writeFileSync(manifestPath, readFileSync(join(AGENTS_DIR, name, 'agent.manifest')));
  return { tarPath, manifestPath, members: entries.map((e) => e.name) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [name, outDir] = process.argv.slice(2);
  if (!name || !outDir) {
    process.stderr.write('usage: node agents/pack.mjs <agent-name> <out-dir>\n');
    process.exit(2);
  }
  try {
    const r = packAgent(name, outDir);
    process.stdout.write(`${r.tarPath}\n${r.manifestPath}\n`);
  } catch (e) {
    process.stderr.write(`pack: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
