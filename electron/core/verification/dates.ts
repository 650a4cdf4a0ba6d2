/**
 * Day arithmetic for the expiry and protective-interval rules. Dates compare by calendar day
 * (the first ten characters of an xs:date or xs:dateTime): a subscription expiring today is
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
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
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
