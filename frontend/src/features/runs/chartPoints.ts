import type { Run } from "./api";

export type FinishedStatus = "succeeded" | "failed" | "cancelled";

export interface RunPoint {
  id: number;
  status: FinishedStatus;
  startedAt: Date;
  rowsWritten: number;
  durationMs: number | null;
  /** What the bar shows; a run without a duration counts as 0. */
  rowsPerSecond: number;
  error: string | null;
}

const finished = (run: Run): run is Run & { status: FinishedStatus } =>
  run.status === "succeeded" || run.status === "failed" || run.status === "cancelled";

/** The latest `limit` finished runs, oldest first (the API lists newest first). */
export function chartPoints(runs: Run[], limit = 30): RunPoint[] {
  return runs
    .filter(finished)
    .slice(0, limit)
    .reverse()
    .map((run) => ({
      id: run.id,
      status: run.status,
      startedAt: run.startedAt,
      rowsWritten: run.rowsWritten,
      durationMs: run.durationMs,
      rowsPerSecond: run.rowsPerSecond ?? 0,
      error: run.error?.line ?? null,
    }));
}

/* The rate axis is logarithmic, so an incremental run of 12 rows/s keeps a visible bar beside a first
   load of 120,000 rows/s, where a linear axis would give it under a pixel; one measure on one axis
   keeps runs comparable, which two axes or a cut-off between "small" and "large" runs would not.
   It is symlog (linear below 1): a run that found nothing new sits at 0 instead of breaking the
   scale. Ticks at powers of ten. */
export function rateTicks(points: RunPoint[]): number[] {
  const highest = Math.max(0, ...points.map((p) => p.rowsPerSecond));
  const ticks = [0, 1];
  while ((ticks.at(-1) ?? 1) < highest) ticks.push((ticks.at(-1) ?? 1) * 10);
  if (ticks.length < 3) ticks.push(10);
  return ticks;
}
