/**
 * Day arithmetic for the expiry and protective-interval rules. Dates compare by calendar day in
 * UTC, as "today" is: an xs:date is its day; an xs:dateTime with a zone (Z or ±hh:mm) is first
 * moved to UTC, so "2025-06-14T23:30:00-05:00" is 2025-06-15. A subscription expiring today is
 * still valid today, one that expired yesterday is one day past.
 */
const DAY_MS = 86_400_000;

// The same few hundred dates recur across tens of thousands of subscriptions.
const cache = new Map<string, number | undefined>();

/** Days since 1970-01-01 of "YYYY-MM-DD…", or undefined when it is not a date. */
export function dayNumber(date: string): number | undefined {
  if (cache.has(date)) return cache.get(date);
  const day = parseDay(date);
  if (cache.size > 100_000) cache.clear();
  cache.set(date, day);
  return day;
}

function parseDay(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/.exec(
    date,
  );
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const zone = m[7];
  if (zone !== undefined && m[4] !== undefined) {
    const day = parseDay(date.slice(0, 10));
    if (day === undefined) return undefined;
    const [h, mi, sec] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
    if (h > 24 || mi > 59 || sec > 60) return undefined;
    const offset =
      zone === 'Z'
        ? 0
        : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    // Local wall time minus the offset is UTC; whole days since the epoch of that instant.
    const minutes = day * 1440 + h * 60 + mi - offset;
    return Math.floor(minutes / 1440);
  }
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // 2024-02-31 is not a day: Date.UTC would roll it over into March.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return Math.round(ms / DAY_MS);
}

export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Today as YYYY-MM-DD in UTC: verification runs on calendar days. */
export function todayString(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
