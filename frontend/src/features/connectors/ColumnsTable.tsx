/** ClickHouse columns with their types and the document path each comes from (the preview's and the schema tab's). */
export function ColumnsTable({ columns, label }: { columns: { name: string; type: string; sourcePath: string }[]; label?: string }) {
  return (
    <table className="table table-compact" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">Type</th>
          <th scope="col">From</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((column) => (
          <tr key={column.name} data-column={column.name}>
            <td className="mono">{column.name}</td>
            <td className="mono">{column.type}</td>
            <td className="mono muted">{column.sourcePath === "" ? <span title="Zenith's own column">—</span> : column.sourcePath}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
