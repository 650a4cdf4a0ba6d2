/**
 * What a V8 heap snapshot (.heapsnapshot, e.g. from sandbox-heap.ts --heap-snapshot) is made of:
 * self size by node type and constructor name, the largest first, and how much string data the
 * sliced strings keep alive through their parents (a slice of a request body keeps the whole
 * body). For snapshots of a few hundred MB (the file is parsed whole).
 *
 *     npx tsx build/bench/heap-summary.ts <file.heapsnapshot> [top=25]
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: string[];
      readonly node_types: [string[], ...unknown[]];
      readonly edge_fields: string[];
      readonly edge_types: [string[], ...unknown[]];
    };
  };
  readonly nodes: number[];
  readonly edges: number[];
  readonly strings: string[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: heap-summary.ts <file.heapsnapshot> [top]');
const top = Number(topArg ?? 25);
const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
const { meta } = snap.snapshot;
const nf = meta.node_fields.length;
const ef = meta.edge_fields.length;
const at = (name: string, fields: string[]): number => fields.indexOf(name);
const [typeI, nameI, sizeI, edgeCountI] = ['type', 'name', 'self_size', 'edge_count'].map((n) =>
  at(n, meta.node_fields),
) as [number, number, number, number];
const [edgeTypeI, edgeNameI, toI] = ['type', 'name_or_index', 'to_node'].map((n) =>
  at(n, meta.edge_fields),
) as [number, number, number];
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const { nodes, edges, strings } = snap;

const groups = new Map<string, { count: number; bytes: number }>();
const slicedParents = new Set<number>();
let total = 0;
let slicedCount = 0;
let edge = 0;
for (let n = 0; n < nodes.length; n += nf) {
  const type = nodeTypes[nodes[n + typeI] ?? 0] ?? '?';
  const size = nodes[n + sizeI] ?? 0;
  const edgeCount = nodes[n + edgeCountI] ?? 0;
  total += size;
  const key = type === 'object' || type === 'native' ? `${type} ${strings[nodes[n + nameI] ?? 0]}` : type;
  const g = groups.get(key) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += size;
  groups.set(key, g);
  if (type === 'sliced string') {
    slicedCount++;
    for (let e = edge; e < edge + edgeCount * ef; e += ef) {
      const edgeType = edgeTypes[edges[e + edgeTypeI] ?? 0];
      const edgeName = strings[edges[e + edgeNameI] ?? 0];
      if (edgeType === 'internal' && edgeName === 'parent') slicedParents.add(edges[e + toI] ?? 0);
    }
  }
  edge += edgeCount * ef;
}
let parentBytes = 0;
for (const p of slicedParents) parentBytes += nodes[p + sizeI] ?? 0;
const mb = (b: number): string => (b / 2 ** 20).toFixed(1);
console.log(`${file}: ${mb(total)} MB in ${nodes.length / nf} nodes`);
for (const [key, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top))
  console.log(`  ${mb(g.bytes).padStart(8)} MB ${String(g.count).padStart(9)}  ${key}`);
console.log(
  `  sliced strings: ${slicedCount}, keeping ${slicedParents.size} parent strings alive (${mb(parentBytes)} MB)`,
);
