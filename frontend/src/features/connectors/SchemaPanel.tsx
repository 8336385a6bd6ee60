import { errorToMessage } from "../../api/problem";
import { MessageText } from "../../components/MessageText";
import { type Connector, useTableSchema } from "./api";

/** The schema tab: the ClickHouse table's columns and types as ClickHouse has them now, and the document path of each. */
export function SchemaPanel({ connector }: { connector: Connector }) {
  const schema = useTableSchema(connector.id);
  const table = `${connector.destination.database}.${connector.destination.table}`;
  return (
    <div>
      <div className="check-header">
        <p className="muted small">
          <span className="mono">{table}</span> in ClickHouse, from <span className="mono">system.columns</span>.
        </p>
        <button type="button" className="button button-small" disabled={schema.isFetching} onClick={() => void schema.refetch()}>
          {schema.isFetching ? "Reading…" : "Refresh"}
        </button>
      </div>
      {schema.isError && (
        <div className="alert alert-error">
          <MessageText message={errorToMessage(schema.error)} />
        </div>
      )}
      {schema.data && !schema.data.exists && <p className="muted">No table yet: the first run creates it.</p>}
      {schema.data?.exists && (
        <table className="table table-compact" aria-label={`Columns of ${table}`}>
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {schema.data.columns.map((column) => (
              <tr key={column.name} data-column={column.name}>
                <td className="mono">{column.name}</td>
                <td className="mono">{column.type}</td>
                <td className="mono muted">{column.sourcePath === "" ? <span title="Zenith's own column">—</span> : column.sourcePath}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
