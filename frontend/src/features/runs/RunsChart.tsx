import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatCount, formatTime } from "../../lib/format";
import type { Run } from "./api";

/** Rows written (bars) and duration (line) over the recent finished runs, oldest on the left. */
export function RunsChart({ runs }: { runs: Run[] }) {
  const points = runs
    .filter((run) => run.status !== "running")
    .slice(0, 30)
    .reverse()
    .map((run) => ({
      label: formatTime(run.startedAt),
      rows: run.rowsWritten,
      seconds: run.durationMs === null ? null : run.durationMs / 1000,
      failed: run.status === "failed",
    }));
  if (points.length === 0) return <p className="muted">The chart appears after the first finished run.</p>;
  return (
    <figure className="chart" aria-label="Rows written and duration of recent runs">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis yAxisId="rows" tickFormatter={(v: number) => formatCount(v)} tick={{ fontSize: 12 }} width={64} />
          <YAxis yAxisId="seconds" orientation="right" unit=" s" tick={{ fontSize: 12 }} width={56} />
          <Tooltip />
          <Legend />
          <Bar yAxisId="rows" dataKey="rows" name="Rows written" fill="#3b6fd8" maxBarSize={48} isAnimationActive={false} />
          <Line yAxisId="seconds" dataKey="seconds" name="Duration (s)" stroke="#d9822b" strokeWidth={2} dot isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
