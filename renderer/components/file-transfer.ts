/** Moving files across the contract as base64 (no paths cross): download and pick. */
import type { BundleFile } from '../../shared/model/review';

export function downloadFile(file: BundleFile, type = 'application/octet-stream'): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function readPickedFile(file: File): Promise<BundleFile> {
  const buffer = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < buffer.length; i += 0x8000)
    binary += String.fromCharCode(...buffer.subarray(i, i + 0x8000));
  return { fileName: file.name, base64: btoa(binary) };
}
