/**
 * Which functions of a phase grow faster than the work: the self time per function of two V8 CPU
 * profiles of the same phase (the migration bench's `MM_BENCH_CPU_PROFILE` at 1× and at N×),
 * side by side, sorted by what the larger run spent beyond N × the smaller one's.
 *
 *   node --import tsx build/bench/cpu-profile-compare.ts <1x.cpuprofile> <Nx.cpuprofile> <N> [rows]
 *
 * Self time is summed per function (name, file, line) from the samples and their time deltas, as
 * a devtools' "self time" column; (garbage collector), (program) and (idle) are rows too.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self milliseconds per function key ("name file:line"), and the profile's whole time. */
export function selfTimes(profile: Profile): {
  readonly byFunction: Map<string, number>;
  readonly totalMs: number;
} {
  const keyOf = new Map<number, string>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const file = f.url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/(electron|build|shared|node_modules)\//, '$1/');
    keyOf.set(n.id, `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`.trim());
  }
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the delta to the next sample (the last one's is unknown: counted 0).
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const key = keyOf.get(id) ?? `node ${id}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    totalMs += ms;
  });
  return { byFunction, totalMs };
}

function main(): void {
  const [small, large, scaleText, rowsText] = process.argv.slice(2);
  if (!small || !large || !scaleText) {
    console.error('usage: cpu-profile-compare.ts <1x.cpuprofile> <Nx.cpuprofile> <N> [rows]');
    process.exit(2);
  }
  const scale = Number(scaleText);
  const rows = Number(rowsText ?? 25);
  const a = selfTimes(JSON.parse(readFileSync(small, 'utf8')) as Profile);
  const b = selfTimes(JSON.parse(readFileSync(large, 'utf8')) as Profile);
  console.log(
    `whole profile: ${a.totalMs.toFixed(0)} ms → ${b.totalMs.toFixed(0)} ms (${(b.totalMs / a.totalMs).toFixed(2)}×; ${scale}× would be ${(a.totalMs * scale).toFixed(0)} ms)`,
  );
  const keys = new Set([...a.byFunction.keys(), ...b.byFunction.keys()]);
  const table = [...keys]
    .map((k) => {
      const x = a.byFunction.get(k) ?? 0;
      const y = b.byFunction.get(k) ?? 0;
      return { k, x, y, beyond: y - scale * x };
    })
    .sort((p, q) => q.beyond - p.beyond);
  console.log('beyond N×    1× ms     N× ms   growth  function');
  for (const r of table.slice(0, rows))
    console.log(
      `${r.beyond.toFixed(0).padStart(8)}  ${r.x.toFixed(0).padStart(8)}  ${r.y.toFixed(0).padStart(8)}  ${(r.x > 0 ? `${(r.y / r.x).toFixed(2)}×` : 'new').padStart(7)}  ${r.k}`,
    );
  console.log('largest self times at N×:');
  for (const r of [...table].sort((p, q) => q.y - p.y).slice(0, rows))
    console.log(
      `${r.y.toFixed(0).padStart(8)} ms  (1×: ${r.x.toFixed(0)} ms, ${(r.x > 0 ? r.y / r.x : 0).toFixed(2)}×)  ${r.k}`,
    );
}

if (process.argv[1]?.endsWith('cpu-profile-compare.ts')) main();
