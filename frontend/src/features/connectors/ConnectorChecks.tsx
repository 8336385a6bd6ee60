import { errorToMessage } from "../../api/problem";
import { MessageText } from "../../components/MessageText";
import { toMessage } from "../../lib/message";
import { type ConnectorDraft, type EndpointResult, type Warning, usePreviewMapping, useTestConnection } from "./api";

interface ConnectionTestPanelProps {
  connectorId: number | null;
  getDraft: () => ConnectorDraft;
  isDirty: boolean;
}

/** "Test connection": both ends' results side by side, from the form as typed. */
export function ConnectionTestPanel({ connectorId, getDraft, isDirty }: ConnectionTestPanelProps) {
  const test = useTestConnection();
  return (
    <section className="check" aria-labelledby="test-title">
      <div className="check-header">
        <h2 id="test-title">Connection</h2>
        <button
          type="button"
          className="button"
          disabled={test.isPending}
          onClick={() => {
            // An unchanged saved connector is tested with its stored passwords.
            test.mutate({ id: connectorId, draft: connectorId !== null && !isDirty ? null : getDraft() });
          }}
        >
          {test.isPending ? "Testing…" : "Test connection"}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {test.isError && (
          <div className="alert alert-error">
            <MessageText message={errorToMessage(test.error)} />
          </div>
        )}
        {test.data && (
          <>
            <ul className="check-results">
              <EndpointLine label="MongoDB" result={test.data.source} />
              <EndpointLine label="ClickHouse" result={test.data.destination} />
            </ul>
            <Warnings warnings={test.data.warnings} />
          </>
        )}
      </div>
    </section>
  );
}

/** What the user should fix about a connector, one line each with the details behind a disclosure. */
export function Warnings({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="alert alert-warning warnings" aria-label="Warnings">
      {warnings.map((w) => (
        <li key={w.kind} data-kind={w.kind}>
          <MessageText message={w.message} />
        </li>
      ))}
    </ul>
  );
}

function EndpointLine({ label, result }: { label: string; result: EndpointResult }) {
  return (
    <li className={result.ok ? "check-ok" : "check-failed"} data-ok={result.ok}>
      <span className="check-icon" aria-hidden="true">
        {result.ok ? "✓" : "✗"}
      </span>
      <strong>{label}</strong> {result.ok ? "reachable" : "failed"}:{" "}
      <MessageText message={result.message} />
    </li>
  );
}

/** "Preview mapping": the columns a random sample maps to, as the run would make them, for the form as typed (rules included). */
export function MappingPreviewPanel({ connectorId, getDraft, isDirty }: ConnectionTestPanelProps) {
  const preview = usePreviewMapping();
  return (
    <section className="check" aria-labelledby="preview-title">
      <div className="check-header">
        <h2 id="preview-title">Mapping</h2>
        <button
          type="button"
          className="button"
          disabled={preview.isPending}
          onClick={() => {
            // An unchanged saved connector is previewed as saved; anything typed is previewed as typed, before saving.
            preview.mutate({ id: connectorId, draft: connectorId !== null && !isDirty ? null : getDraft() });
          }}
        >
          {preview.isPending ? "Sampling…" : "Preview mapping"}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {preview.isError && (
          <div className="alert alert-error">
            <MessageText message={errorToMessage(preview.error)} />
          </div>
        )}
        {preview.data && (
          <>
            <p className="muted small">
              {preview.data.columns.length} columns from {preview.data.sampled} documents sampled at random.
            </p>
            {preview.data.warnings.length > 0 && (
              <ul className="alert alert-warning preview-warnings">
                {preview.data.warnings.map((warning) => (
                  <li key={warning}>
                    <MessageText message={toMessage(warning)} />
                  </li>
                ))}
              </ul>
            )}
            <table className="table table-compact">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Type</th>
                  <th scope="col">Kind</th>
                  <th scope="col">From</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {preview.data.columns.map((column) => (
                  <tr key={column.name}>
                    <td className="mono">{column.name}</td>
                    <td className="mono">{column.type}</td>
                    <td>{column.kind}</td>
                    <td className="mono muted">{column.sourcePath}</td>
                    <td className="muted small">{column.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </section>
  );
}
