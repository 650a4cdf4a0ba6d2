/** Moving files across the contract as base64 (no paths cross): download and pick. */
import type { BundleFile } from '../../shared/model/review';

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

export function downloadFile(file: BundleFile, type = 'application/octet-stream'): void {
  saveBlob(file.fileName, new Blob([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], { type }));
}

export async function readPickedFile(file: File): Promise<BundleFile> {
  const buffer = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < buffer.length; i += 0x8000)
    binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
  return { fileName: file.name, base64: btoa(binary) };
}
