export interface SpeedProbe {
  /** Ends the probe; the CPU ms of each sample it took. */
  stop(): number[];
}
export function startSpeedProbe(samplesFile: string, intervalMs?: number): SpeedProbe;
/** The CPU ms of each run of the fixed work, back to back for about `ms` (nothing else of ours running). */
export function quietSpeed(ms?: number): number[];
