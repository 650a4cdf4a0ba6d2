/**
 * The web check, pure: a site's files on the source against the same site on the target's web
 * node (files, bytes, each file's SHA-256), and a sample of pages fetched from the target's
 * web server with the site's Host header (status, <title>, body hash) against the same pages
 * fetched from the source's own web server — or, when the source's server was not asked or
 * could not be reached (the collector then warns), against the source's files. A 4xx/5xx from
 * the target fails, except 401 (a protected page answers as it should).
 */
import type { CheckDifference, CheckResult } from '../../../shared/model/checks';
import { count, fail, resultOf, warn } from './result';

export interface FileFact {
  readonly size: number;
  readonly sha256: string;
  /** The <title> of an HTML file, when it has one. */
  readonly title?: string;
}

export interface SiteEvidence {
  /** The host the site answers to (ASCII). */
  readonly host: string;
  /** false: the site's folder is not there at all. */
  readonly present: boolean;
  /** Relative path → facts, regular files only. */
  readonly files: ReadonlyMap<string, FileFact>;
}

export interface PageFetch {
  /** The URL path asked for ("/", "/css/site.css"). */
  readonly path: string;
  /** The file it stands for on the source. */
  readonly file: string;
  /** HTTP status, or 0 when the server did not answer. */
  readonly status: number;
  readonly title?: string;
  readonly sha256?: string;
  /** Why there is no status (connection refused, timeout). */
  readonly error?: string;
  /** The same page as the source's own web server answered it, when it was asked. */
  readonly source?: SourcePage;
}

/** A page as the source's web server served it (status, title, body hash). */
export interface SourcePage {
  /** 0 when this page got no answer (the server answered others). */
  readonly status: number;
  readonly title?: string;
  readonly sha256?: string;
  readonly error?: string;
}

const INDEX_FILES = ['index.html', 'index.htm', 'index.php'];

/**
 * Which pages to fetch: the index page ("/") and one file per directory and extension, so
 * every kind of file in every folder is asked for once, without fetching a whole site.
 */
export function samplePages(files: Iterable<string>): { path: string; file: string }[] {
  const all = [...files].sort();
  const out: { path: string; file: string }[] = [];
  const index = INDEX_FILES.find((f) => all.includes(f));
  if (index) out.push({ path: '/', file: index });
  const keyOf = (file: string): string => {
    const slash = file.lastIndexOf('/');
    const name = file.slice(slash + 1);
    const dot = name.lastIndexOf('.');
    return `${slash < 0 ? '' : file.slice(0, slash)}\0${dot > 0 ? name.slice(dot + 1).toLowerCase() : ''}`;
  };
  // The index page stands for its folder and extension already.
  const seen = new Set<string>(index ? [keyOf(index)] : []);
  for (const file of all) {
    const key = keyOf(file);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: `/${file.split('/').map(encodeURIComponent).join('/')}`, file });
  }
  return out;
}

export function titleOf(html: string): string | undefined {
  const m = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  return m?.[1] === undefined ? undefined : m[1].replace(/\s+/g, ' ').trim();
}

/** The files that differ, one difference each (missing, changed, extra). */
function fileDifferences(source: SiteEvidence, target: SiteEvidence): CheckDifference[] {
  const out: CheckDifference[] = [];
  for (const [path, s] of source.files) {
    const t = target.files.get(path);
    if (!t) out.push(fail(`file ${path}`, 'missing on the target'));
    else if (t.size !== s.size)
      out.push(fail(`file ${path}`, `${s.size} bytes on the source, ${t.size} on the target`));
    else if (t.sha256 !== s.sha256) out.push(fail(`file ${path}`, 'content differs (SHA-256)'));
  }
  for (const path of target.files.keys())
    if (!source.files.has(path)) out.push(warn(`file ${path}`, 'on the target only'));
  return out;
}

function pageDifferences(source: SiteEvidence, pages: readonly PageFetch[]): CheckDifference[] {
  const out: CheckDifference[] = [];
  for (const p of pages) {
    const object = `page http://${source.host}${p.path}`;
    const want = source.files.get(p.file);
    if (p.status === 0) {
      out.push(fail(object, `no answer from the target's web server (${p.error ?? 'no response'})`));
      continue;
    }
    if (p.status === 401) continue;
    if (p.status >= 400) {
      out.push(
        fail(
          object,
          `the target answered HTTP ${p.status}${p.source ? `, the source HTTP ${p.source.status}` : ''}`,
        ),
      );
      continue;
    }
    // The source's own web server answered: its page is what the target must serve. A page
    // the source protects (401) is not seen there, so only the target's answer is judged.
    const s = p.source;
    if (s?.status === 0)
      out.push(
        warn(
          object,
          `no answer from the source's web server (${s.error ?? 'no response'}); compared with the source's file`,
        ),
      );
    if (s && s.status !== 401 && s.status !== 0) {
      if (s.status !== p.status)
        out.push(warn(object, `HTTP ${s.status} from the source, HTTP ${p.status} from the target`));
      else if (s.title !== p.title)
        out.push(
          fail(
            object,
            `title "${p.title ?? '(none)'}" on the target, "${s.title ?? '(none)'}" on the source`,
          ),
        );
      // Bodies are compared when the source serves the file as it is (not a script's output,
      // which may differ on every request).
      else if (s.sha256 !== undefined && p.sha256 !== s.sha256 && (!want || want.sha256 === s.sha256))
        out.push(fail(object, "the target serves other content than the source's web server"));
      continue;
    }
    if (want?.title !== undefined && p.title !== want.title)
      out.push(fail(object, `title "${p.title ?? '(none)'}" on the target, "${want.title}" on the source`));
    else if (want && p.sha256 !== undefined && p.sha256 !== want.sha256)
      out.push(fail(object, 'the target serves other content than the source file'));
  }
  return out;
}

export function compareWeb(
  sites: readonly { source: SiteEvidence; target: SiteEvidence; pages: readonly PageFetch[] }[],
): CheckResult {
  const differences: CheckDifference[] = [];
  let files = 0;
  let bytes = 0;
  let pages = 0;
  for (const { source, target, pages: fetched } of sites) {
    if (!source.present) {
      differences.push(warn(`site ${source.host}`, 'its folder could not be read on the source'));
      continue;
    }
    if (!target.present) {
      differences.push(fail(`site ${source.host}`, 'no folder on the target web node'));
      continue;
    }
    const sBytes = [...source.files.values()].reduce((n, f) => n + f.size, 0);
    const tBytes = [...target.files.values()].reduce((n, f) => n + f.size, 0);
    if (source.files.size !== target.files.size || sBytes !== tBytes)
      differences.push(
        fail(
          `site ${source.host}`,
          `${count(source.files.size, 'file')} (${sBytes} bytes) on the source, ${count(target.files.size, 'file')} (${tBytes} bytes) on the target`,
        ),
      );
    differences.push(...fileDifferences(source, target), ...pageDifferences(source, fetched));
    files += source.files.size;
    bytes += sBytes;
    pages += fetched.length;
  }
  if (sites.length === 0) return resultOf('web', [], 'no web site to compare');
  return resultOf(
    'web',
    differences,
    `${count(sites.length, 'site')}: ${count(files, 'file')} (${bytes} bytes) and ${count(pages, 'page')} match`,
  );
}
