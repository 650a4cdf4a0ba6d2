/** Calendar-day arithmetic of the expiry and protective-interval rules. */
import { describe, expect, it } from 'vitest';
import { dayNumber, dayString, todayString } from '../../electron/core/verification/dates';

describe('calendar days', () => {
  it('counts days since 1970-01-01 from the first ten characters of a date or dateTime', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('2025-06-15')).toBe(20254);
    expect(dayNumber('2025-06-15T23:59:59+02:00')).toBe(20254);
    expect(dayNumber('1969-12-31')).toBe(-1);
  });

  it('an impossible day is not a date: Date.UTC would roll 2025-02-31 over into March', () => {
    expect(dayNumber('2025-02-31')).toBeUndefined();
    expect(dayNumber('2025-02-29')).toBeUndefined(); // not a leap year
    expect(dayNumber('2024-02-29')).toBe(19782); // a leap year
    expect(dayNumber('2025-13-01')).toBeUndefined();
    expect(dayNumber('2025-00-10')).toBeUndefined();
    expect(dayNumber('2025-04-31')).toBeUndefined();
    expect(dayNumber('2025-04-00')).toBeUndefined();
  });

  it('a year before 100 is refused rather than read as 19xx (Date.UTC maps 0025 to 1925)', () => {
    expect(dayNumber('0025-06-15')).toBeUndefined();
    expect(dayNumber('0099-12-31')).toBeUndefined();
    expect(dayNumber('0100-01-01')).toBe(-683_003);
    expect(dayString(-683_003)).toBe('0100-01-01');
  });

  it('a date-time with a zone counts on its UTC day', () => {
    expect(dayNumber('2025-06-14T23:30:00-05:00')).toBe(20254); // 04:30Z on the 15th
    expect(dayNumber('2025-06-15T01:00:00+02:00')).toBe(20253); // 23:00Z on the 14th
    expect(dayNumber('2025-06-15T12:00:00Z')).toBe(20254);
    expect(dayNumber('2025-06-15T00:00:00+00:00')).toBe(20254);
    expect(dayNumber('2025-06-15T23:30:00.123-01:00')).toBe(20255);
    // Minutes of the offset count too: 10:30 at +10:30 is midnight UTC, at +10:31 the day before.
    expect(dayNumber('2025-06-15T10:30:00+10:30')).toBe(20254);
    expect(dayNumber('2025-06-15T10:30:00+10:31')).toBe(20253);
    expect(dayNumber('2025-06-15T10:30+10:31')).toBe(20253);
    // 24:00 is the end of the day, a leap second is a second.
    expect(dayNumber('2025-06-15T24:00:00Z')).toBe(20255);
    expect(dayNumber('2025-06-15T23:59:60Z')).toBe(20254);
    // Without a zone the date part is the day.
    expect(dayNumber('2025-06-15T23:30:00')).toBe(20254);
  });

  it('a date-time with an impossible day or time is not a date', () => {
    for (const bad of [
      '2025-02-31T10:00:00Z',
      '2025-06-15T25:00:00Z',
      '2025-06-15T10:60:00Z',
      '2025-06-15T10:00:61Z',
    ])
      expect(dayNumber(bad), bad).toBeUndefined();
  });

  it('text that is not YYYY-MM-DD is not a date', () => {
    for (const bad of ['', 'tomorrow', '2025-6-15', '25-06-15', '2025/06/15', ' 2025-06-15', '2025-06-1'])
      expect(dayNumber(bad), bad).toBeUndefined();
  });

  it('asking again gives the same answer (the cache never changes a verdict)', () => {
    expect(dayNumber('2025-02-31')).toBeUndefined();
    expect(dayNumber('2025-02-31')).toBeUndefined();
    expect(dayNumber('2030-01-01')).toBe(dayNumber('2030-01-01'));
    expect(dayNumber('2030-01-01')).toBe(21915);
  });

  it('the cache forgets when it grows past 100,000 dates, and still answers right', () => {
    for (let d = 0; d < 100_002; d++) dayNumber(`${dayString(d)}T00:00:00Z#${d}`);
    expect(dayNumber('2025-06-15')).toBe(20254);
    expect(dayNumber('2025-02-31')).toBeUndefined();
  });

  it('turns a day number back into YYYY-MM-DD, and today is the UTC calendar day', () => {
    expect(dayString(0)).toBe('1970-01-01');
    expect(dayString(20254)).toBe('2025-06-15');
    expect(dayString(dayNumber('2024-12-31')! + 1)).toBe('2025-01-01');
    expect(todayString(new Date('2025-06-15T23:30:00-02:00'))).toBe('2025-06-16');
    expect(todayString()).toBe(new Date().toISOString().slice(0, 10));
  });
});
