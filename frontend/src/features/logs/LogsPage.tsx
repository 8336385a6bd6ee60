import { useSearchParams } from "react-router";
import { QueryError } from "../../components/QueryError";
import { useConnectors } from "../connectors/api";
import { LogList } from "./LogList";
import { asLogLevel, logLevels, useLogs } from "./api";

/** The system log (the sync history of every connector), filtered through the URL. */
export function LogsPage() {
  const [params, setParams] = useSearchParams();
  const connectorParam = params.get("connector");
  const connectorId = connectorParam === null ? undefined : Number(connectorParam);
  const level = asLogLevel(params.get("level"));
  const logs = useLogs({ connectorId, level });
  const connectors = useConnectors();
  const names = new Map((connectors.data ?? []).map((c) => [c.id, c.name]));

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value === "") next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  return (
    <section aria-labelledby="logs-title">
      <header className="page-header">
        <h1 id="logs-title">Logs</h1>
      </header>
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor="filter-connector">Connector</label>
          <select
            id="filter-connector"
            value={connectorParam ?? ""}
            onChange={(e) => {
              setFilter("connector", e.target.value);
            }}
          >
            <option value="">All connectors</option>
            {(connectors.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-level">Level</label>
          <select
            id="filter-level"
            value={level ?? ""}
            onChange={(e) => {
              setFilter("level", e.target.value);
            }}
          >
            <option value="">All levels</option>
            {logLevels.map((l) => (
              <option key={l} value={l}>
                {l === "error" ? "error" : `${l} and above`}
              </option>
            ))}
          </select>
        </div>
      </div>
      {logs.data !== undefined ? (
        <LogList entries={logs.data} connectorName={(id) => names.get(id)} />
      ) : logs.isError ? (
        <QueryError error={logs.error} what="the logs" />
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
