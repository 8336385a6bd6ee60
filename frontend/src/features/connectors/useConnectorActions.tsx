import { type ReactNode, useState } from "react";
import { useNavigate } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { errorMessage } from "../../api/problem";
import { type Connector, type ConnectorAction, useConnectorAction } from "./api";

/** Sync/pause/resume/delete with a confirmation for delete and the outcome said in a live region. */
export function useConnectorActions(options: { afterDelete?: string } = {}) {
  const mutation = useConnectorAction();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<Connector | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const perform = (connector: Connector, action: ConnectorAction) => {
    setMessage(null);
    mutation.mutate(
      { id: connector.id, action },
      {
        onSuccess: () => {
          setMessage({ ok: true, text: doneText(connector.name, action) });
          if (action === "delete" && options.afterDelete !== undefined) void navigate(options.afterDelete);
        },
        onError: (error) => {
          setMessage({ ok: false, text: `${connector.name}: ${errorMessage(error)}` });
        },
        onSettled: () => {
          setConfirming(null);
        },
      },
    );
  };

  const run = (connector: Connector, action: ConnectorAction) => {
    if (action === "delete") setConfirming(connector);
    else perform(connector, action);
  };

  const feedback: ReactNode = (
    <div aria-live="polite" className="feedback">
      {message && <p className={`alert ${message.ok ? "alert-ok" : "alert-error"}`}>{message.text}</p>}
    </div>
  );

  const dialog: ReactNode = confirming && (
    <ConfirmDialog
      title={`Delete ${confirming.name}?`}
      message="The connector, its checkpoint and its run history are removed. The ClickHouse table stays where it is."
      confirmLabel="Delete connector"
      busy={mutation.isPending}
      onConfirm={() => {
        perform(confirming, "delete");
      }}
      onCancel={() => {
        setConfirming(null);
      }}
    />
  );

  return { run, busyId: mutation.isPending ? mutation.variables.id : null, feedback, dialog };
}

function doneText(name: string, action: ConnectorAction): string {
  switch (action) {
    case "sync":
      return `${name}: sync started.`;
    case "pause":
      return `${name}: paused.`;
    case "resume":
      return `${name}: resumed.`;
    case "delete":
      return `${name}: deleted.`;
  }
}
