import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { QueryError } from "../../components/QueryError";
import { ConnectorTable } from "./ConnectorTable";
import { useConnectors } from "./api";
import { noticeIn, useConnectorActions } from "./useConnectorActions";

export function ConnectorsPage() {
  const connectors = useConnectors();
  const location = useLocation();
  const navigate = useNavigate();
  // Said once: the notice leaves the history entry, so a reload or going back does not repeat it.
  const [notice] = useState(() => noticeIn(location.state));
  const actions = useConnectorActions({ initialMessage: notice });
  useEffect(() => {
    if (location.state != null) void navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
  }, [location.state, location.pathname, location.search, navigate]);

  return (
    <section aria-labelledby="connectors-title">
      <header className="page-header">
        <h1 id="connectors-title">Connectors</h1>
        <Link className="button button-primary" to="/connectors/new">
          New connector
        </Link>
      </header>
      {actions.feedback}
      {connectors.data !== undefined ? (
        connectors.data.length === 0 ? (
          <EmptyState />
        ) : (
          <ConnectorTable connectors={connectors.data} busyId={actions.busyId} onAction={actions.run} />
        )
      ) : connectors.isError ? (
        <QueryError error={connectors.error} what="the connectors" />
      ) : (
        <p className="muted">Loading connectors…</p>
      )}
      {actions.dialog}
    </section>
  );
}

function EmptyState() {
  return (
    <div className="empty">
      <h2>No connectors yet</h2>
      <p>
        A connector copies one MongoDB collection into one ClickHouse table and keeps it in sync on a schedule. Create one
        with the connection string of your MongoDB and the HTTP address of your ClickHouse; use “Test connection” to check
        both before saving. The first sync starts as soon as it is saved.
      </p>
      <Link className="button button-primary" to="/connectors/new">
        Create your first connector
      </Link>
    </div>
  );
}
