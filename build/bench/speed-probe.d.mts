export interface SpeedProbe {
  /** Ends the probe; the CPU ms of each sample it took. */
  stop(): number[];
}
export function startSpeedProbe(samplesFile: string, intervalMs?: number): SpeedProbe;
