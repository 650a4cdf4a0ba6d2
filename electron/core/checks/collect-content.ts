/**
 * The content collectors at the edges: a site or a Maildir read as a tar stream, from the
 * source's agent (`--extract=domainContent`, the very tarball the migration moved) or from a
 * target node (`tar -c` of the published folder over the node's transport), into the same
 * evidence. Nothing is written on the workstation; files are hashed as they stream past.
 */
import type { AgentRunner } from '../agent/agent-runner';
import type { Transport } from '../agent/transport';
import { HEAD_BYTES, describeHead, isHtml, isMessage } from './content-evidence';
import { TarEvidence, type TarFile } from './tar-evidence';

/** What a collector found: the files, or why there are none. */
export type FilesOrError =
  | { readonly files: ReadonlyMap<string, TarFile>; readonly error?: undefined }
  | { readonly files?: undefined; readonly error: string };

const READ_TIMEOUT_MS = 30 * 60 * 1000;

/** Titles of HTML files, headers of messages: the first bytes are kept of those only. */
const keepHead = (name: string): number => (isHtml(name) || isMessage(name) ? HEAD_BYTES : 0);

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The source's content of one content id, as the agent streams it (its manifest left out). */
export async function sourceFiles(
  agent: AgentRunner,
  sourceDomainId: string,
  contentId: string,
  signal?: AbortSignal,
): Promise<FilesOrError> {
  if (!agent.stream)
    return { error: `${agent.label} cannot stream content (SOAP); register the server over SSH` };
  const out = new TarEvidence({ keepHead, describe: describeHead, skip: (n) => n === 'MANIFEST.sha256' });
  try {
    await agent.stream(
      ['--extract=domainContent', `--domain-id=${sourceDomainId}`, `--content-id=${contentId}`],
      out,
      { timeoutMs: READ_TIMEOUT_MS, ...(signal ? { signal } : {}) },
    );
    return { files: out.files };
  } catch (e) {
    return { error: `the source agent could not read ${contentId}: ${message(e)}` };
  }
}

/**
 * A folder on a target node, read with `tar -c` (folders of other sites nested inside it,
 * given relative to it, are left out). A folder that is not there is an error naming it.
 */
export async function nodeFiles(
  node: Transport,
  dir: string,
  nested: readonly string[] = [],
  signal?: AbortSignal,
): Promise<FilesOrError> {
  const inside = (n: string): boolean => nested.some((x) => n === x || n.startsWith(`${x}/`));
  const out = new TarEvidence({ keepHead, describe: describeHead, skip: inside });
  const excludes = nested.map((x) => `--exclude=./${x}`);
  try {
    const r = await node.exec(['tar', '-C', dir, ...excludes, '-cf', '-', '.'], {
      stdout: out,
      timeoutMs: READ_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
    if (r.code !== 0)
      return {
        error: `${dir} could not be read on ${node.label} (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`,
      };
    return { files: out.files };
  } catch (e) {
    return { error: `${dir} could not be read on ${node.label}: ${message(e)}` };
  }
}
