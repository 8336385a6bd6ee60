import { Link } from "react-router";
import { BreakableText } from "../../components/BreakableText";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { formatCount, formatDuration, formatInterval } from "../../lib/format";
import { RunProgress } from "../runs/RunProgress";
import { isLive } from "../runs/api";
import type { Connector, ConnectorAction } from "./api";
import { connectorBadge, formatLag } from "./status";
import { Freshness, TableRows } from "./TableStatisticsText";

interface ConnectorTableProps {
  connectors: Connector[];
  busyId: number | null;
  onAction: (connector: Connector, action: ConnectorAction) => void;
}

export function ConnectorTable({ connectors, busyId, onAction }: ConnectorTableProps) {
  return (
    <table className="table table-cards">
      <thead>
        <tr>
          <th scope="col">Connector</th>
          <th scope="col">Status</th>
          <th scope="col">Last successful sync</th>
          <th scope="col" className="num">Rows in ClickHouse</th>
          <th scope="col" className="num">Rows (last run)</th>
          <th scope="col" className="num">Duration</th>
          <th scope="col" className="num">Failures in a row</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {connectors.map((connector) => (
          <ConnectorRow key={connector.id} connector={connector} busy={busyId === connector.id} onAction={onAction} />
        ))}
      </tbody>
    </table>
  );
}

function ConnectorRow({ connector, busy, onAction }: { connector: Connector; busy: boolean; onAction: ConnectorTableProps["onAction"] }) {
  const last = connector.lastResult;
  const paused = connector.status === "paused" || connector.status === "error";
  return (
    <tr data-connector={connector.name}>
      <td data-label="Connector">
        <Link to={`/connectors/${connector.id}`} className="strong">
          {connector.name}
        </Link>
        <div className="muted small">
          <BreakableText text={`${connector.source.database}.${connector.source.collection}`} /> →{" "}
          <BreakableText text={`${connector.destination.database}.${connector.destination.table}`} /> ·{" "}
          {connector.mode === "change_stream" ? "live" : formatInterval(connector.intervalSeconds)}
        </div>
      </td>
      <td data-label="Status">
        <StatusBadge badge={connectorBadge(connector)} />
        {connector.mode === "change_stream" && connector.lag !== null && (
          <div className="muted small" data-testid="stream-lag">
            {formatLag(connector)}
          </div>
        )}
        {connector.warnings.length > 0 && (
          <Link to={`/connectors/${connector.id}`} className="warning-count small" title={connector.warnings.map((w) => w.message.line).join("\n")}>
            {connector.warnings.length === 1 ? "1 warning" : `${connector.warnings.length} warnings`}
          </Link>
        )}
        {isLive(last) && <RunProgress run={last} compact />}
      </td>
      <td data-label="Last successful sync">
        <RelativeTime date={connector.lastSuccessAt} />
      </td>
      <td data-label="Rows in ClickHouse" className="num">
        <TableRows statistics={connector.statistics} />
        <div className="muted small">
          newest <Freshness statistics={connector.statistics} />
        </div>
      </td>
      <td data-label="Rows (last run)" className="num" data-testid="rows-written">
        {last ? formatCount(last.rowsWritten) : "—"}
      </td>
      <td data-label="Duration" className="num">
        {last ? formatDuration(last.durationMs) : "—"}
      </td>
      <td data-label="Failures in a row" className={`num${connector.consecutiveFailures > 0 ? " text-danger" : ""}`}>
        {connector.consecutiveFailures}
      </td>
      <td className="actions-cell">
        <div className="actions row-actions">
          <button
            type="button"
            className="button button-small"
            disabled={busy || connector.running}
            onClick={() => {
              onAction(connector, "sync");
            }}
            aria-label={`Sync ${connector.name} now`}
          >
            Sync now
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => {
              onAction(connector, paused ? "resume" : "pause");
            }}
            aria-label={`${paused ? "Resume" : "Pause"} ${connector.name}`}
          >
            {paused ? "Resume" : "Pause"}
          </button>
          <Link className="button button-small" to={`/connectors/${connector.id}/edit`} aria-label={`Edit ${connector.name}`}>
            Edit
          </Link>
          <button
            type="button"
            className="button button-small button-danger-outline"
            disabled={busy}
            onClick={() => {
              onAction(connector, "delete");
            }}
            aria-label={`Delete ${connector.name}`}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
