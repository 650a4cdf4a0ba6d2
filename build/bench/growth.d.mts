export interface BenchFigure {
  readonly name: string;
  readonly value?: number;
  readonly unit?: string;
  readonly text?: string;
  readonly goal?: string;
  readonly met?: boolean;
}
export interface SpeedReading {
  readonly samples: number;
  /** CPU ms of the probe's fixed work: the median of the quiet samples before and after the bench. */
  readonly medianCpuMs: number;
  readonly beforeCpuMs?: number;
  readonly afterCpuMs?: number;
  /** The median of the samples taken while the bench ran (it also feels the bench's own load). */
  readonly duringCpuMs?: number;
}
export interface BenchResult {
  readonly file: string;
  readonly figures: readonly BenchFigure[];
  readonly speed?: SpeedReading;
}
export interface BenchReport {
  readonly scale: number;
  readonly benches: readonly BenchResult[];
}
export interface GrowthRow {
  readonly bench: string;
  readonly figure: BenchFigure;
  readonly base: BenchFigure;
  readonly growth: number;
  /** How much more CPU the probe's fixed work took during the N× run (1.5: the machine was slower). */
  readonly slowdown?: number;
  readonly atEqualSpeed?: number;
  readonly bounded: boolean;
  readonly ok: boolean;
  readonly verdict: string;
}
export function speedOf(samples: readonly number[]): SpeedReading | undefined;
export function bound(n: number): number;
export function growthRows(one: BenchReport, big: BenchReport): GrowthRow[];
export function speedReading(
  before: readonly number[],
  after: readonly number[],
  during: readonly number[],
): SpeedReading | undefined;
