const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

/** "5 minutes ago", "just now": how long ago `date` was, seen from `now`. Only past events are
    shown this way, so a date after `now` (clocks apart, a clock read before the data came) is "just now". */
export function formatRelative(date: Date, now: Date = new Date()): string {
  let value = Math.min(0, (date.getTime() - now.getTime()) / 1000);
  if (value > -5) return "just now";
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return relative.format(Math.round(value), unit);
    value /= size;
  }
  return relative.format(Math.round(value), "year");
}

const absolute = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
export const formatDateTime = (date: Date): string => absolute.format(date);

/* Runs and log lines, in the table, the chart and the log alike: "Nov 23, 10:00:02". */
const runTime = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
export const formatRunTime = (date: Date): string => runTime.format(date);

const integer = new Intl.NumberFormat("en");
export const formatCount = (value: number): string => integer.format(value);

const compact = new Intl.NumberFormat("en", { notation: "compact" });
/** 950, 12K, 3.4M: for chart axes. */
export const formatCompact = (value: number): string => compact.format(value);

const oneDecimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
/** Rows per second: "0.4", "12,345". */
export function formatRate(rowsPerSecond: number | null): string {
  if (rowsPerSecond === null) return "—";
  return rowsPerSecond < 10 ? oneDecimal.format(rowsPerSecond) : integer.format(Math.round(rowsPerSecond));
}

/** 850 ms, 2.0 s, 1 min 5 s, 2 h 3 min. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
