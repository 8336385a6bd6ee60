import { MessageText } from "../../components/MessageText";
import { formatDateTime, formatRunTime } from "../../lib/format";
import type { LogEntry } from "./api";

export function LogList({ entries, connectorName }: { entries: LogEntry[]; connectorName?: (id: number) => string | undefined }) {
  if (entries.length === 0) return <p className="muted">No log lines.</p>;
  return (
    <ol className="log" aria-label="Log lines">
      {entries.map((entry) => (
        <li key={entry.id} className={`log-line log-${entry.level}`} data-level={entry.level}>
          <time dateTime={entry.time.toISOString()} title={formatDateTime(entry.time)}>
            {formatRunTime(entry.time)}
          </time>
          <span className="log-level">{entry.level}</span>
          {connectorName !== undefined && entry.connectorId !== null && (
            <span className="log-connector">{connectorName(entry.connectorId) ?? `#${entry.connectorId}`}</span>
          )}
          <div className="log-message">
            <MessageText message={entry.message} />
          </div>
        </li>
      ))}
    </ol>
  );
}
