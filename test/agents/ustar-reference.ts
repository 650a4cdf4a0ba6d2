/**
 * An independent encoder of the tarball the agent's writer (agents/lib/MigrationAgent/Tar.pm)
 * makes of a directory tree, written from the format (POSIX ustar, pax 'x' headers where a field
 * does not fit) and the writer's documented choices: members sorted by name bytes, directories
 * with a trailing "/", symlinks stored as links (mode 0777, size 0), sockets and fifos left out,
 * MANIFEST.sha256 last (mode 0644, owner 0:0), then two zero blocks and zero padding to whole
 * 10 KiB records. The agent's output must equal it byte for byte, so a faster writer cannot
 * change a header field, a checksum, a padding or a manifest line unnoticed.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** What the agent's writer was asked to do besides archiving the tree. */
export interface ReferenceOptions {
  /** The agent's clock (the manifest member's mtime), in seconds. */
  readonly now: number;
  /**
   * Resuming after this regular file: it and every regular file before it in archive order are
   * left out (their headers and data), still hashed into the manifest.
   */
  readonly resumeAfter?: string;
}

const octal = (n: number, digits: number): string => n.toString(8).padStart(digits, '0');

/** `n` bytes of the field: the text, NUL-padded, cut where it does not fit (Perl's pack "a"). */
function field(text: Buffer | string, n: number): Buffer {
  const b = Buffer.alloc(n);
  (typeof text === 'string' ? Buffer.from(text, 'latin1') : text).copy(b, 0, 0, n);
  return b;
}

interface HeaderFields {
  readonly name: Buffer;
  readonly prefix: Buffer;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtime: number;
  readonly type: string;
  readonly link: Buffer;
}

function rawHeader(h: HeaderFields): Buffer {
  const hdr = Buffer.concat([
    field(h.name, 100),
    field(octal(h.mode & 0o7777, 7), 8),
    field(octal(h.uid & 0o7777777, 7), 8),
    field(octal(h.gid & 0o7777777, 7), 8),
    field(octal(h.size, 11), 12),
    field(octal(h.mtime, 11), 12),
    Buffer.from('        ', 'latin1'), // the checksum, counted as spaces
    field(h.type, 1),
    field(h.link, 100),
    Buffer.from('ustar\u000000', 'latin1'),
    field('', 32),
    field('', 32),
    field('0000000', 8),
    field('0000000', 8),
    field(h.prefix, 155),
    field('', 12),
  ]);
  let sum = 0;
  for (const byte of hdr) sum += byte;
  Buffer.from(`${octal(sum, 6)}\u0000 `, 'latin1').copy(hdr, 148);
  return hdr;
}

const padTo512 = (n: number): Buffer => Buffer.alloc((512 - (n % 512)) % 512);

/** A pax record "<len> key=value\n", its length counting its own digits. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let digits = String(body.length).length;
  while (String(body.length + digits).length > digits) digits++;
  return Buffer.concat([Buffer.from(String(body.length + digits)), body]);
}

/** ustar's prefix/name split at a "/" (prefix ≤ 155 bytes, name ≤ 100), or none. */
function splitName(name: Buffer): [Buffer, Buffer] | undefined {
  if (name.length <= 100) return [Buffer.alloc(0), name];
  for (let i = 0; i < name.length - 1; i++) {
    if (name[i] !== 0x2f || i > 155) continue;
    if (name.length - i - 1 <= 100) return [name.subarray(0, i), name.subarray(i + 1)];
  }
  return undefined;
}

/** A member's header blocks: a pax header first when the name, link, size, mtime or owner needs one. */
function header(h: Omit<HeaderFields, 'prefix'>): Buffer {
  const inRange = (n: number, digits: number): boolean => n >= 0 && n < 8 ** digits;
  if (
    h.name.length <= 100 &&
    h.link.length <= 100 &&
    h.size < 8 ** 11 &&
    inRange(h.mtime, 11) &&
    inRange(h.uid, 7) &&
    inRange(h.gid, 7)
  )
    return rawHeader({ ...h, prefix: Buffer.alloc(0) });
  const pax = new Map<string, Buffer>();
  let split = splitName(h.name);
  if (!split) {
    pax.set('path', h.name);
    split = [Buffer.alloc(0), h.name.subarray(0, 100)];
  }
  let link = h.link;
  if (link.length > 100) {
    pax.set('linkpath', link);
    link = link.subarray(0, 100);
  }
  if (h.size >= 8 ** 11) pax.set('size', Buffer.from(String(h.size)));
  // A time before 1970 or past 11 octal digits, an owner id past 7: the value as a pax record,
  // the ustar field 0 (a time before 1970) or the field's maximum (the writer's documented choice).
  let { mtime, uid, gid } = h;
  if (!inRange(mtime, 11)) {
    pax.set('mtime', Buffer.from(String(mtime)));
    mtime = mtime < 0 ? 0 : 8 ** 11 - 1;
  }
  if (!inRange(uid, 7)) {
    pax.set('uid', Buffer.from(String(uid)));
    uid = 8 ** 7 - 1;
  }
  if (!inRange(gid, 7)) {
    pax.set('gid', Buffer.from(String(gid)));
    gid = 8 ** 7 - 1;
  }
  const parts: Buffer[] = [];
  if (pax.size > 0) {
    const data = Buffer.concat([...pax.keys()].sort().map((k) => paxRecord(k, pax.get(k)!)));
    const paxName = Buffer.concat([Buffer.from('PaxHeaders/'), split[1].subarray(0, 80)]);
    parts.push(
      rawHeader({
        name: paxName,
        prefix: Buffer.alloc(0),
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: data.length,
        mtime,
        type: 'x',
        link: Buffer.alloc(0),
      }),
      data,
      padTo512(data.length),
    );
  }
  parts.push(
    rawHeader({
      ...h,
      mtime,
      uid,
      gid,
      name: split[1],
      prefix: split[0],
      size: h.size >= 8 ** 11 ? 0 : h.size,
      link,
    }),
  );
  return Buffer.concat(parts);
}

/** The manifest line of one file, escaped as sha256sum(1) does for "\" and newline. */
function manifestLine(hex: string, name: Buffer): Buffer {
  const text = name.toString('latin1');
  if (!/[\\\n]/.test(text)) return Buffer.concat([Buffer.from(`${hex}  `), name, Buffer.from('\n')]);
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return Buffer.from(`\\${hex}  ${escaped}\n`, 'latin1');
}

/** The tarball the agent writes for `add_tree(dir)` then `finish()`. */
export function referenceTarball(dir: string, opts: ReferenceOptions): Buffer {
  const out: Buffer[] = [];
  const manifest: Buffer[] = [];
  let muted = opts.resumeAfter !== undefined;
  // Paths as bytes: a name that is not UTF-8 is archived as it is on the disk.
  const walk = (path: Buffer, prefix: Buffer): void => {
    const names = readdirSync(path, { encoding: 'buffer' }).sort(Buffer.compare);
    for (const n of names) {
      const full = Buffer.concat([path, Buffer.from('/'), n]);
      const st = lstatSync(full);
      const member = Buffer.concat([prefix, n]);
      const common = { uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000) };
      if (st.isSymbolicLink()) {
        const target = readlinkSync(full, { encoding: 'buffer' });
        out.push(header({ ...common, name: member, mode: 0o777, size: 0, type: '2', link: target }));
      } else if (st.isDirectory()) {
        const dirName = Buffer.concat([member, Buffer.from('/')]);
        out.push(
          header({ ...common, name: dirName, mode: st.mode, size: 0, type: '5', link: Buffer.alloc(0) }),
        );
        walk(full, dirName);
      } else if (st.isFile()) {
        const data = readFileSync(full);
        manifest.push(manifestLine(createHash('sha256').update(data).digest('hex'), member));
        if (!muted) {
          out.push(
            header({
              ...common,
              name: member,
              mode: st.mode,
              size: data.length,
              type: '0',
              link: Buffer.alloc(0),
            }),
            data,
            padTo512(data.length),
          );
        }
        if (muted && member.equals(Buffer.from(opts.resumeAfter ?? ''))) muted = false;
      }
    }
  };
  walk(Buffer.from(dir), Buffer.alloc(0));
  const list = Buffer.concat(manifest);
  out.push(
    header({
      name: Buffer.from('MANIFEST.sha256'),
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: list.length,
      mtime: opts.now,
      type: '0',
      link: Buffer.alloc(0),
    }),
    list,
    padTo512(list.length),
    Buffer.alloc(1024),
  );
  const body = Buffer.concat(out);
  return Buffer.concat([body, Buffer.alloc((10240 - (body.length % 10240)) % 10240)]);
}
