import { errorToMessage } from "../../api/problem";
import { MessageText } from "../../components/MessageText";
import { type Connector, useTableSchema } from "./api";
import { ColumnsTable } from "./ColumnsTable";

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
        <ColumnsTable columns={schema.data.columns} label={`Columns of ${table}`} />
      )}
    </div>
  );
}
