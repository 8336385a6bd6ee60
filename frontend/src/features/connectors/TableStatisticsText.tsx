import { RelativeTime } from "../../components/RelativeTime";
import { formatCount } from "../../lib/format";
import type { TableStatistics } from "./api";

/** Rows in the ClickHouse table as last measured: a count, "no table yet", or why it could not be read (on hover). */
export function TableRows({ statistics }: { statistics: TableStatistics | null }) {
  if (statistics === null) return <span className="muted">…</span>;
  if (statistics.error !== null) return <span className="muted" title={statistics.error.line}>unknown</span>;
  if (statistics.rows === null) return <span className="muted">no table yet</span>;
  return <span data-testid="table-rows">{formatCount(statistics.rows)}</span>;
}

/** Freshness: how long ago the newest change the table holds happened in the source. */
export function Freshness({ statistics }: { statistics: TableStatistics | null }) {
  return <RelativeTime date={statistics?.newestChange ?? null} empty="—" />;
}
