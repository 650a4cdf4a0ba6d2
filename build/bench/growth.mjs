// How each figure grew from 1× to N× (issue 19: every time and memory figure within 1.2 N× of its
// 1× value, 12× at 10×). Pure: run.mjs reads the two results and prints the rows.
//
// The machine's speed is part of a time figure: where both runs carry a speed reading
// (speed-probe.mjs: the CPU time of one fixed piece of work, median of the quiet samples taken
// just before and just after the bench), a time
// figure's growth is also given at equal speed (divided by how much slower the machine did the
// fixed work during the N× run; multiplied when it was faster), and the verdict is taken on that.
// Memory is not scaled: a slower machine does not hold more.

/** Units whose growth is bounded; the first three are times. */
const TIME_UNITS = ['ms', 's', 'min'];
const BOUNDED_UNITS = [...TIME_UNITS, 'MB'];
/** Fewer samples than this are not a reading of the machine. */
const MIN_SAMPLES = 3;

/** The median of a bench's probe samples (CPU ms of the fixed work), or undefined when too few. */
export function speedOf(samples) {
  if (samples.length < MIN_SAMPLES) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { samples: samples.length, medianCpuMs: Number(median.toFixed(2)) };
}

const medianOf = (xs) => speedOf(xs)?.medianCpuMs;

/**
 * A bench's speed reading: the quiet samples taken just before and just after it (what growth is
 * judged at; their medians apart show a drift during the run) and the samples taken during it.
 */
export function speedReading(before, after, during) {
  const quiet = speedOf([...before, ...after]);
  if (!quiet) return undefined;
  const parts = { beforeCpuMs: medianOf(before), afterCpuMs: medianOf(after), duringCpuMs: medianOf(during) };
  return { ...quiet, ...Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) };
}

/**
 * A reading taken quiet, before and after the bench: the only kind compared (a reading taken
 * during a run also feels that run's own load, and compared with a quiet one it says nothing).
 */
const quiet = (speed) => speed?.beforeCpuMs !== undefined && speed?.afterCpuMs !== undefined;

/** 1.2 N as printed (1.2 × 3 is 3.5999999999999996 in floating point). */
export const bound = (n) => Number((1.2 * n).toFixed(2));

/**
 * One row per figure that both results hold with a number: its 1× and N× values, the growth,
 * the machine's slowdown and the growth at equal speed where known, and the verdict.
 */
export function growthRows(one, big) {
  const n = big.scale;
  const rows = [];
  for (const b of big.benches) {
    const base = one.benches.find((x) => x.file === b.file);
    if (!base) continue;
    const slowdown =
      quiet(b.speed) && quiet(base.speed) ? b.speed.medianCpuMs / base.speed.medianCpuMs : undefined;
    for (const f of b.figures) {
      const f1 = base.figures.find((x) => x.name === f.name);
      if (f.value === undefined || f1?.value === undefined || f1.value === 0) continue;
      const growth = f.value / f1.value;
      const bounded = BOUNDED_UNITS.includes(f.unit ?? '');
      const scaled = TIME_UNITS.includes(f.unit ?? '') && slowdown !== undefined;
      const judged = scaled ? growth / slowdown : growth;
      const ok = !bounded || judged <= bound(n);
      rows.push({
        bench: b.file.replace('.bench.ts', ''),
        figure: f,
        base: f1,
        growth,
        ...(scaled ? { slowdown, atEqualSpeed: judged } : {}),
        bounded,
        ok,
        verdict: !bounded
          ? ''
          : judged <= n * 1.05
            ? 'linear or better'
            : ok
              ? `within ${bound(n)}×`
              : 'FAIL',
      });
    }
  }
  return rows;
}
