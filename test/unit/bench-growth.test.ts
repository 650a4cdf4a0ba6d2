// The bench's growth from 1× to N× (build/bench/growth.mjs) and the machine-speed probe beside
// each bench (build/bench/speed-probe.mjs): a time figure is judged at equal machine speed when
// both runs read it, memory never is; the probe is a real process whose readings are CPU time.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BenchReport, growthRows, speedOf, speedReading } from '../../build/bench/growth.mjs';
import { quietSpeed, startSpeedProbe } from '../../build/bench/speed-probe.mjs';

const report = (scale: number, minutes: number, mb: number, medianCpuMs?: number): BenchReport => ({
  scale,
  benches: [
    {
      file: 'migration.bench.ts',
      ...(medianCpuMs
        ? { speed: { samples: 10, medianCpuMs, beforeCpuMs: medianCpuMs, afterCpuMs: medianCpuMs } }
        : {}),
      figures: [
        { name: 'whole source', value: minutes, unit: 'min' },
        { name: 'engine peak RSS', value: mb, unit: 'MB' },
        { name: 'objects/s', value: 1000 / minutes, unit: '/s' },
      ],
    },
  ],
});

describe('growth from 1× to 10× (build/bench/growth.mjs)', () => {
  it('judges a time at equal machine speed: 18.3× on a machine 2.2× slower is 8.3×, within 12×', () => {
    const [time, memory, rate] = growthRows(report(1, 2.37, 700, 100), report(10, 43.5, 2800, 220));
    expect(time?.growth).toBeCloseTo(18.35, 2);
    expect(time?.slowdown).toBeCloseTo(2.2, 5);
    expect(time?.atEqualSpeed).toBeCloseTo(8.34, 2);
    expect(time?.ok).toBe(true);
    expect(time?.verdict).toBe('linear or better');
    // Memory is not scaled by speed: 4× is judged as 4×.
    expect(memory?.atEqualSpeed).toBeUndefined();
    expect(memory?.growth).toBe(4);
    expect(memory?.ok).toBe(true);
    // A rate has no bound.
    expect(rate?.bounded).toBe(false);
    expect(rate?.verdict).toBe('');
  });

  it('fails a time that grew too much at equal speed, also when the machine was faster during 10×', () => {
    const [time] = growthRows(report(1, 2, 700, 200), report(10, 20, 700, 100));
    expect(time?.growth).toBe(10);
    expect(time?.atEqualSpeed).toBe(20);
    expect(time?.ok).toBe(false);
    expect(time?.verdict).toBe('FAIL');
  });

  it('judges the plain growth where a run has no speed reading', () => {
    const [time, memory] = growthRows(report(1, 2, 700), report(10, 23, 9000, 150));
    expect(time?.atEqualSpeed).toBeUndefined();
    expect(time?.verdict).toBe('within 12×');
    expect(memory?.ok).toBe(false);
  });

  it('compares no reading that was not taken quiet (one taken during a run feels that run)', () => {
    const during = report(10, 43.5, 2800);
    const withDuring: BenchReport = {
      ...during,
      benches: during.benches.map((b) => ({ ...b, speed: { samples: 278, medianCpuMs: 196 } })),
    };
    const [time] = growthRows(report(1, 2.37, 700, 126), withDuring);
    expect(time?.slowdown).toBeUndefined();
    expect(time?.verdict).toBe('FAIL');
  });

  it('needs three samples for a speed reading; the median of them', () => {
    expect(speedOf([100, 120])).toBeUndefined();
    expect(speedOf([300, 100, 120])).toEqual({ samples: 3, medianCpuMs: 120 });
    expect(speedOf([100, 120, 130, 400])).toEqual({ samples: 4, medianCpuMs: 125 });
  });
});

describe('a bench’s speed reading', () => {
  it('is judged on the quiet samples before and after; the samples during are kept apart', () => {
    expect(speedReading([100, 110, 120], [130, 140, 150], [300, 310, 320])).toEqual({
      samples: 6,
      medianCpuMs: 125,
      beforeCpuMs: 110,
      afterCpuMs: 140,
      duringCpuMs: 310,
    });
    // Too few during (a short bench): the quiet reading stands alone.
    expect(speedReading([100, 110], [120, 130], [90])).toEqual({ samples: 4, medianCpuMs: 115 });
    expect(speedReading([100], [110], [])).toBeUndefined();
  });
});

describe('the speed probe (build/bench/speed-probe.mjs)', () => {
  it('times the fixed work back to back for a quiet reading', () => {
    const samples = quietSpeed(1000);
    expect(samples.length).toBeGreaterThanOrEqual(1);
    for (const ms of samples) expect(ms).toBeGreaterThan(5);
  });

  it('records the CPU time of its fixed work every interval until stopped', { timeout: 60_000 }, async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'mm-speed-probe-')), 'speed.jsonl');
    const probe = startSpeedProbe(file, 200);
    // It warms up first (the JIT) and the machine may be busy: wait for three readings.
    const lines = (): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);
    for (let i = 0; i < 300 && lines() < 3; i++) await new Promise((r) => setTimeout(r, 100));
    const samples = probe.stop();
    expect(samples.length).toBeGreaterThanOrEqual(3);
    // CPU time of real work: more than nothing.
    for (const ms of samples) expect(ms).toBeGreaterThan(5);
    expect(speedOf(samples)?.samples).toBe(samples.length);
    // Stopped: nothing more is written.
    await new Promise((r) => setTimeout(r, 600));
    expect(probe.stop().length).toBe(samples.length);
  });
});
