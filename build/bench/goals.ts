/**
 * Goals of a bench: each figure is compared with its goal where it is printed, and a bench
 * that missed one exits non-zero (so `npm run bench` fails and a regression is seen).
 */
const missed: string[] = [];

/** "[goal < 1000 ms: met]" or "[goal < 1000 ms: MISSED]", remembering a miss. */
export function goal(what: string, goalText: string, met: boolean): string {
  if (!met) missed.push(`${what} (goal ${goalText})`);
  return `[goal ${goalText}: ${met ? 'met' : 'MISSED'}]`;
}

/** Prints the missed goals and sets the exit code; call once at the end of a bench. */
export function reportGoals(): void {
  if (missed.length === 0) {
    console.log('every goal met');
    return;
  }
  console.log(`MISSED ${missed.length} goal(s): ${missed.join('; ')}`);
  process.exitCode = 1;
}
