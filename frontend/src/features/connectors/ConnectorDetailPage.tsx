import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { isNotFound } from "../../api/problem";
import { BreakableText } from "../../components/BreakableText";
import { QueryError } from "../../components/QueryError";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { formatInterval } from "../../lib/format";
import { LogList } from "../logs/LogList";
import { useLogs } from "../logs/api";
import { RunProgress } from "../runs/RunProgress";
import { RunsChart } from "../runs/RunsChart";
import { RunsTable } from "../runs/RunsTable";
import { isLive, useRuns } from "../runs/api";
import { VerificationPanel } from "../verifications/VerificationPanel";
import { type Connector, connectorIdFrom, syncModes, useConnector } from "./api";
import { Warnings } from "./ConnectorChecks";
import { ConnectorNotFound } from "./ConnectorNotFound";
import { SchemaPanel } from "./SchemaPanel";
import { connectorBadge } from "./status";
import { StreamSummary } from "./StreamState";
import { Freshness, TableRows } from "./TableStatisticsText";
import { noticeIn, useConnectorActions } from "./useConnectorActions";

export function ConnectorDetailPage() {
  const param = useParams().id;
  const id = connectorIdFrom(param);
  return id === null ? <ConnectorNotFound id={param} /> : <ConnectorDetail id={id} />;
}

function ConnectorDetail({ id }: { id: number }) {
  const location = useLocation();
  const [notice] = useState(() => noticeIn(location.state));
  const connector = useConnector(id);
  const runs = useRuns(id);
  const logs = useLogs({ connectorId: id, limit: 100 });
  const actions = useConnectorActions({ afterDelete: "/", initialMessage: notice });
  const [tab, setTab] = useState<"activity" | "schema">("activity");

  if (connector.isPending) return <p className="muted">Loading…</p>;
  if (isNotFound(connector.error)) return <ConnectorNotFound id={String(id)} />;
  // A refresh that failed keeps the last data on screen, with the reason above it.
  if (connector.data === undefined) return <QueryError error={connector.error} what="the connector" />;
  const c = connector.data;
  const paused = c.status === "paused" || c.status === "error";

  return (
    <section aria-labelledby="detail-title">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/">Connectors</Link> / <span aria-current="page">{c.name}</span>
      </nav>
      <header className="page-header">
        <h1 id="detail-title">
          {c.name} <StatusBadge badge={connectorBadge(c)} />
        </h1>
        <div className="actions">
          <button type="button" className="button" disabled={c.running || actions.busyId === c.id} onClick={() => { actions.run(c, "sync"); }}>
            Sync now
          </button>
          <button type="button" className="button" disabled={actions.busyId === c.id} onClick={() => { actions.run(c, paused ? "resume" : "pause"); }}>
            {paused ? "Resume" : "Pause"}
          </button>
          <Link className="button" to={`/connectors/${c.id}/edit`}>
            Edit
          </Link>
          <button type="button" className="button" disabled={actions.busyId === c.id} onClick={() => { actions.run(c, "reset"); }}>
            Reset checkpoint
          </button>
          {/* A stream always runs: its resync stops it first. */}
          <button type="button" className="button" disabled={(c.running && c.mode !== "change_stream") || actions.busyId === c.id} onClick={() => { actions.run(c, "resync"); }}>
            Resync
          </button>
          <button type="button" className="button button-danger-outline" disabled={actions.busyId === c.id} onClick={() => { actions.run(c, "delete"); }}>
            Delete
          </button>
        </div>
      </header>
      {actions.feedback}
      {connector.isError && <QueryError error={connector.error} what="the latest state of the connector" />}
      {c.credentialsUnreadable && (
        <div className="alert alert-error" role="alert">
          <strong>Credentials unreadable — enter the password again.</strong> The saved passwords of this connector cannot be
          decrypted (was the database copied without the <code>keys/</code> directory beside it?), so it is not synced.{" "}
          <Link to={`/connectors/${c.id}/edit`}>Enter the password again</Link>
        </div>
      )}
      {c.stuck && (
        <p className="alert alert-error" role="alert">
          Stuck: the sync passed its deadline (timeouts.run_seconds) and has not stopped yet; it holds one of the parallel sync slots.
        </p>
      )}
      {c.status === "error" && (
        <p className="alert alert-error">
          Stopped after {c.consecutiveFailures} failed syncs in a row. Fix the cause (see the runs below), then Resume.
        </p>
      )}
      <Warnings warnings={c.warnings} />
      {/* A stream's run never ends: its progress bar is its load's; once it streams, the stream's own lag says where it is. */}
      {isLive(c.lastResult) && c.lag === null && <RunProgress run={c.lastResult} />}
      <Summary connector={c} updatedAt={connector.dataUpdatedAt} />

      <div className="tabs" role="tablist" aria-label="Connector details">
        {(["activity", "schema"] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            id={`tab-${name}`}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            className="tab"
            onClick={() => {
              setTab(name);
            }}
          >
            {name === "activity" ? "Runs and log" : "Schema"}
          </button>
        ))}
      </div>
      {tab === "schema" ? (
        <section role="tabpanel" id="panel-schema" aria-labelledby="tab-schema">
          <SchemaPanel connector={c} />
        </section>
      ) : (
        <section role="tabpanel" id="panel-activity" aria-labelledby="tab-activity">
          <h2>Recent runs</h2>
          {runs.data ? <RunsChart runs={runs.data} /> : runs.isError ? <QueryError error={runs.error} what="the runs" /> : null}
          {runs.data && <RunsTable runs={runs.data} />}

          <VerificationPanel connectorId={c.id} />

          <h2>Log</h2>
          {logs.data ? <LogList entries={logs.data} /> : logs.isError ? <QueryError error={logs.error} what="the log" /> : null}
          <p>
            <Link to={`/logs?connector=${c.id}`}>All log lines of {c.name}</Link>
          </p>
        </section>
      )}
      {actions.dialog}
    </section>
  );
}

function Summary({ connector: c, updatedAt }: { connector: Connector; updatedAt: number }) {
  const mode = syncModes.find((m) => m.value === c.mode)?.label ?? c.mode;
  return (
    <dl className="summary">
      <div>
        <dt>Source</dt>
        <dd className="mono">
          <BreakableText text={c.source.uri} /> · <BreakableText text={`${c.source.database}.${c.source.collection}`} />
        </dd>
      </div>
      <div>
        <dt>Destination</dt>
        <dd className="mono">
          <BreakableText text={c.destination.uri} /> · <BreakableText text={`${c.destination.database}.${c.destination.table}`} />
        </dd>
      </div>
      <div>
        <dt>Mode</dt>
        <dd>
          {mode}
          {c.mode === "incremental_timestamp" && c.cursorField !== "" ? ` on ${c.cursorField}` : ""}
          {c.mode === "change_stream"
            ? `, continuous; ${c.onHistoryLost === "resync" ? "resyncs" : "stops with an error"} if its position falls off the oplog`
            : `, ${formatInterval(c.intervalSeconds)}`}
        </dd>
      </div>
      {c.mode === "change_stream" && <StreamSummary connector={c} updatedAt={updatedAt} />}
      {c.mode !== "change_stream" && (
        <div>
          <dt>Last successful sync</dt>
          <dd>
            <RelativeTime date={c.lastSuccessAt} />
          </dd>
        </div>
      )}
      <div>
        <dt>Rows in ClickHouse</dt>
        <dd>
          <TableRows statistics={c.statistics} />
        </dd>
      </div>
      <div>
        <dt>Newest change synced</dt>
        <dd>
          <Freshness statistics={c.statistics} />
        </dd>
      </div>
      <div>
        <dt>Failures in a row</dt>
        <dd className={c.consecutiveFailures > 0 ? "text-danger" : undefined}>{c.consecutiveFailures}</dd>
      </div>
      {c.mode !== "full" && c.mode !== "change_stream" && (
        <div>
          <dt>Settle window</dt>
          <dd>{c.settleSeconds === 0 ? "none" : `${c.settleSeconds} s`}</dd>
        </div>
      )}
      <div>
        <dt>Checkpoint</dt>
        <dd className="mono" data-testid="checkpoint">
          {c.checkpoint === null ? <span className="muted">none yet</span> : <BreakableText text={c.checkpoint} />}
        </dd>
      </div>
    </dl>
  );
}
