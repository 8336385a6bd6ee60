import { useServerNow } from "../lib/clock";
import { formatDateTime, formatRelative } from "../lib/format";

/** "3 minutes ago", kept current while the page is open, with the exact time on hover. */
export function RelativeTime({ date, empty = "never" }: { date: Date | null; empty?: string }) {
  const now = useServerNow();
  if (date === null) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date, new Date(now))}
    </time>
  );
}
