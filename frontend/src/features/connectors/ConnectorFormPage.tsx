import { useNavigate, useParams } from "react-router";
import { isNotFound } from "../../api/problem";
import { QueryError } from "../../components/QueryError";
import { ConnectorForm } from "./ConnectorForm";
import { ConnectorNotFound } from "./ConnectorNotFound";
import { connectorIdFrom, emptyDraft, toDraft, useConnector, useSaveConnector } from "./api";
import type { Notice } from "./useConnectorActions";

export function NewConnectorPage() {
  const navigate = useNavigate();
  const save = useSaveConnector(null);
  return (
    <section aria-labelledby="form-title">
      <header className="page-header">
        <h1 id="form-title">New connector</h1>
      </header>
      <ConnectorForm
        connectorId={null}
        initial={emptyDraft}
        onSave={async (draft, { paused }) => {
          const created = await save.mutateAsync({ draft, paused });
          await navigate(`/connectors/${created.connector.id}`);
        }}
        onCancel={() => void navigate("/")}
      />
    </section>
  );
}

export function EditConnectorPage() {
  const param = useParams().id;
  const id = connectorIdFrom(param);
  return id === null ? <ConnectorNotFound id={param} /> : <EditConnector id={id} />;
}

function EditConnector({ id }: { id: number }) {
  const navigate = useNavigate();
  // Not polled: a refetch must not reset what the user is typing.
  const connector = useConnector(id, { live: false });
  const save = useSaveConnector(id);
  if (isNotFound(connector.error)) return <ConnectorNotFound id={String(id)} />;
  return (
    <section aria-labelledby="form-title">
      <header className="page-header">
        <h1 id="form-title">Edit {connector.data?.name ?? "connector"}</h1>
      </header>
      {connector.isPending ? (
        <p className="muted">Loading…</p>
      ) : connector.isError ? (
        <QueryError error={connector.error} what="the connector" />
      ) : (
        <ConnectorForm
          connectorId={id}
          initial={toDraft(connector.data)}
          credentialsUnreadable={connector.data.credentialsUnreadable}
          onSave={async (draft) => {
            // An edit that reset the checkpoint says so on the connector's page.
            const saved = await save.mutateAsync({ draft });
            await navigate(`/connectors/${id}`, saved.notice === null ? {} : { state: { notice: saved.notice } satisfies Notice });
          }}
          onCancel={() => void navigate(`/connectors/${id}`)}
        />
      )}
    </section>
  );
}
