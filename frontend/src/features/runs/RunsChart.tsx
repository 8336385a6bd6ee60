import { Bar, CartesianGrid, ComposedChart, ResponsiveContainer, Tooltip, type TooltipContentProps, XAxis, YAxis } from "recharts";
import { formatCompact, formatCount, formatDuration, formatRate, formatRunTime } from "../../lib/format";
import type { Run } from "./api";
import { chartPoints, type FinishedStatus, rateTicks, type RunPoint } from "./chartPoints";

const statusLabel: Record<FinishedStatus, string> = { succeeded: "Succeeded", failed: "Failed", cancelled: "Cancelled" };
const statusColour: Record<FinishedStatus, string> = { succeeded: "#3b6fd8", failed: "#c23a3a", cancelled: "#8a94a3" };

/** Rows per second of each recent finished run, oldest on the left, coloured by how it ended. */
export function RunsChart({ runs }: { runs: Run[] }) {
  const points = chartPoints(runs);
  if (points.length === 0) return <p className="muted">The chart appears after the first finished run.</p>;
  const ticks = rateTicks(points);
  const shown: FinishedStatus[] = ["succeeded", "failed", ...(points.some((p) => p.status === "cancelled") ? (["cancelled"] as const) : [])];
  return (
    <figure className="chart" aria-label="Rows per second of recent runs">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ee" vertical={false} />
          <XAxis dataKey="id" tickFormatter={(_: unknown, index: number) => label(points[index])} tick={{ fontSize: 12 }} minTickGap={16} />
          <YAxis
            scale="symlog"
            domain={[0, ticks.at(-1) ?? 10]}
            ticks={ticks}
            tickFormatter={(v: number) => formatCompact(v)}
            tick={{ fontSize: 12 }}
            width={56}
            label={{ value: "rows/s", angle: -90, position: "insideLeft", fontSize: 12, fill: "#5f6b7a" }}
          />
          <Tooltip content={RunTooltip} cursor={{ fill: "rgb(47 95 196 / 0.08)" }} />
          <Bar
            dataKey="rowsPerSecond"
            name="Rows/s"
            maxBarSize={48}
            minPointSize={3}
            isAnimationActive={false}
            shape={(bar: BarGeometry) => <RunBar bar={bar} point={points[bar.index]} />}
            // A failed run's slot is tinted over the whole height: it stands out even when it wrote nothing.
            background={(bar: BarGeometry) => <FailedBand bar={bar} point={points[bar.index]} />}
          />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption className="chart-legend">
        <span className="muted">Rows per second written, per run (logarithmic scale):</span>
        {shown.map((status) => (
          <span key={status} className="chart-legend-item" data-status={status}>
            <span className="chart-swatch" style={{ background: statusColour[status] }} aria-hidden="true" />
            {statusLabel[status]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

interface BarGeometry {
  x: number;
  y: number;
  width: number;
  height: number;
  index: number;
}

function RunBar({ bar, point }: { bar: BarGeometry; point: RunPoint | undefined }) {
  if (point === undefined) return <g />;
  const { x, y, width, height } = bar;
  return <rect x={x} y={y} width={width} height={height} fill={statusColour[point.status]} className="run-bar" data-status={point.status} data-run={point.id} />;
}

function FailedBand({ bar, point }: { bar: BarGeometry; point: RunPoint | undefined }) {
  if (point?.status !== "failed") return <g />;
  const { x, y, width, height } = bar;
  return <rect x={x} y={y} width={width} height={height} fill="#fbe7e7" className="run-failed-band" />;
}

const label = (point: RunPoint | undefined): string => (point === undefined ? "" : formatRunTime(point.startedAt));

function RunTooltip({ active, payload }: TooltipContentProps) {
  const point = payload[0]?.payload as RunPoint | undefined;
  if (!active || point === undefined) return null;
  return (
    <div className="chart-tooltip" data-status={point.status}>
      <strong>{formatRunTime(point.startedAt)}</strong> · <span style={{ color: statusColour[point.status] }}>{statusLabel[point.status]}</span>
      <br />
      {formatRate(point.rowsPerSecond)} rows/s · {formatCount(point.rowsWritten)} rows in {formatDuration(point.durationMs)}
      {point.error !== null && <div className="chart-tooltip-error">{point.error}</div>}
    </div>
  );
}
