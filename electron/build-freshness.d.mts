export const SOURCES: readonly string[];
export const OUTPUTS: readonly string[];
/** The newest modification time under a path, with the file it belongs to. */
export function newest(path: string): { readonly time: number; readonly file: string };
/** current when every output exists and is newer than every source; why says what decided it. */
export function buildState(
  root: string,
  sources?: readonly string[],
  outputs?: readonly string[],
): { readonly current: boolean; readonly why: string };
/** The path of out/cli/<name> when it is newer than every source it was made from, else undefined. */
export function freshBundle(root: string, name: string): string | undefined;
