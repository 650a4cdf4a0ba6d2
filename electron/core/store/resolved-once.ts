/**
 * A port's place (the file, or rows of the folder's linked database) resolved on first use and
 * kept, instead of reading the folder's link file (`store.json`) at every append or write: a
 * migration log of 1,000 batches on a file project made 1,000 failed opens of it.
 *
 * Keeping the answer is safe because whoever holds a port across uses is registered with the
 * project's release (`project/project-release.ts`): a move drops the holder, and the next use
 * opens a new port, which resolves where the project lives now. A failed resolution (an
 * unreadable link) is not kept: the next use tries again.
 */
export function resolvedOnce<T>(resolve: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (kept) return kept;
    const p = resolve();
    kept = p;
    p.catch(() => {
      if (kept === p) kept = undefined;
    });
    return p;
  };
}
