/**
 * One way to show dates and times everywhere in the UI: "2026-11-30 06:12" in the viewer's
 * time zone (ISO order, so tables sort and read the same in every locale).
 */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A day as stored (YYYY-MM-DD) stays as it is; a full time stamp becomes its local day. */
export function formatDay(value: string | null | undefined): string {
  if (!value) return '—';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return formatTime(value).slice(0, 10);
}
