/** Steps settled per minute by each worker over the last hour (from its units' ends). */
import { Text } from '@mantine/core';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ThroughputPoint } from '../../../shared/model/workers';

const COLOURS = ['#228be6', '#40c057', '#fab005', '#fa5252', '#7950f2', '#15aabf', '#e64980', '#82c91e'];

/** Short worker names for the legend: host and pid. */
const short = (workerId: string): string => workerId.split(':').slice(0, 2).join(':');

export function ThroughputChart({ points }: { points: readonly ThroughputPoint[] }) {
  if (points.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="throughput-empty">
        No unit has ended in the last hour.
      </Text>
    );
  const workers = [...new Set(points.map((p) => p.workerId))];
  // one row per minute, one column per worker (recharts draws a line per column)
  const rows = new Map<string, Record<string, number | string>>();
  for (const p of points) {
    const minute = new Date(p.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const row = rows.get(p.minute) ?? { minute };
    row[p.workerId] = p.steps;
    rows.set(p.minute, row);
  }
  return (
    <div style={{ width: '100%', height: 240 }} data-testid="throughput-chart">
      <ResponsiveContainer>
        <LineChart data={[...rows.values()]}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="minute" />
          <YAxis allowDecimals={false} label={{ value: 'steps/min', angle: -90, position: 'insideLeft' }} />
          <Tooltip />
          <Legend formatter={(v: string) => short(v)} />
          {workers.map((w, i) => (
            <Line
              key={w}
              type="monotone"
              dataKey={w}
              name={w}
              stroke={COLOURS[i % COLOURS.length]}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
