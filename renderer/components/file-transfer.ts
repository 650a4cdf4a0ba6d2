/**
 * Saving a small file the page holds (a mapping export, a DNS sheet) as a download. Large files
 * never come here: reports, rehearsal exports and review bundles go through `MmApi.download`,
 * saved as they are made, and a bundle to open through `MmApi.upload` (components/upload-button).
 */

/** Saves a blob as a download named fileName (Electron and browsers alike). */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
