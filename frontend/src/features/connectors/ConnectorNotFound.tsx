import { Link } from "react-router";

/** The page of a connector that does not exist (deleted, or a mistyped address). */
export function ConnectorNotFound({ id }: { id: string | undefined }) {
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">Connector not found</h1>
      <p>
        There is no connector{id === undefined || id === "" ? " here" : ` with id ${id}`}. It may have been deleted.
      </p>
      <p>
        <Link to="/">Back to the connectors</Link>
      </p>
    </section>
  );
}
