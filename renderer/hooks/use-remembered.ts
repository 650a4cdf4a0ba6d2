import { useCallback, useState } from 'react';

/**
 * State that survives reloads and restarts (localStorage), for the filters an engineer sets on
 * a table and expects to find again. `start` wins when given (a link that opens a filtered table).
 */
export function useRemembered<T extends string | null>(
  key: string,
  fallback: T,
  start?: T,
): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    if (start !== undefined) return start;
    try {
      const stored = localStorage.getItem(key);
      return stored === null ? fallback : (JSON.parse(stored) as T);
    } catch {
      return fallback;
    }
  });
  const set = useCallback(
    (v: T) => {
      setValue(v);
      try {
        localStorage.setItem(key, JSON.stringify(v));
      } catch {
        // storage full or disabled: the filter still works for this session
      }
    },
    [key],
  );
  return [value, set];
}
