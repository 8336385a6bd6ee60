import { MessageText } from "../../components/MessageText";
import { StatusBadge } from "../../components/StatusBadge";
import { formatCount, formatDateTime, formatDuration, formatRate, formatRunTime } from "../../lib/format";
import { runBadge } from "../connectors/status";
import type { Run } from "./api";

export function RunsTable({ runs }: { runs: Run[] }) {
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <table className="table table-cards" aria-label="Run history">
      <thead>
        <tr>
          <th scope="col">Status</th>
          <th scope="col">Trigger</th>
          <th scope="col">Started</th>
          <th scope="col" className="num">Duration</th>
          <th scope="col" className="num">Read</th>
          <th scope="col" className="num">Written</th>
          <th scope="col" className="num">Rows/s</th>
          <th scope="col" className="num">Failed</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run={run.id} data-status={run.status}>
            <td data-label="Status">
              <StatusBadge badge={runBadge(run.status)} />
            </td>
            <td data-label="Trigger">{run.trigger}</td>
            <td data-label="Started" className="nowrap">
              <time dateTime={run.startedAt.toISOString()} title={formatDateTime(run.startedAt)}>
                {formatRunTime(run.startedAt)}
              </time>
            </td>
            <td data-label="Duration" className="num">
              {formatDuration(run.durationMs)}
            </td>
            <td data-label="Read" className="num">
              {formatCount(run.rowsRead)}
            </td>
            <td data-label="Written" className="num">
              {formatCount(run.rowsWritten)}
            </td>
            <td data-label="Rows/s" className="num">
              {run.status === "queued" ? "—" : formatRate(run.rowsPerSecond)}
            </td>
            <td data-label="Failed" className={`num${run.rowsFailed > 0 ? " text-danger" : ""}`}>
              {formatCount(run.rowsFailed)}
            </td>
            <td data-label="Error" className="run-error">
              {run.error && <MessageText message={run.error} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
