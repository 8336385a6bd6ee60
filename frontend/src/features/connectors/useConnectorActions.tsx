import { type ReactNode, useState } from "react";
import { useNavigate } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { MessageText } from "../../components/MessageText";
import { errorMessage } from "../../api/problem";
import { toMessage } from "../../lib/message";
import { type Connector, type ConnectorAction, useConnectorAction } from "./api";

/** What the page a deletion leads to says first; carried in the router's location state. */
export interface Notice {
  notice: string;
}
export function noticeIn(state: unknown): string | null {
  if (typeof state !== "object" || state === null || !("notice" in state)) return null;
  return typeof state.notice === "string" ? state.notice : null;
}

interface Options {
  /** Where to go once the connector is deleted (its page is gone); the outcome is said there. */
  afterDelete?: string;
  /** An outcome said before this page opened (a deletion on the page that led here). */
  initialMessage?: string | null;
}

/** Sync/pause/resume/delete with a confirmation for delete and the outcome said in a live region. */
export function useConnectorActions(options: Options = {}) {
  const mutation = useConnectorAction();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<Connector | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(() =>
    options.initialMessage == null ? null : { ok: true, text: options.initialMessage },
  );

  const perform = (connector: Connector, action: ConnectorAction) => {
    setMessage(null);
    mutation.mutate(
      { id: connector.id, action },
      {
        onSuccess: () => {
          const text = doneText(connector.name, action);
          if (action === "delete" && options.afterDelete !== undefined) {
            void navigate(options.afterDelete, { state: { notice: text } satisfies Notice });
          } else {
            setMessage({ ok: true, text });
          }
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
      {message && (
        <div className={`alert ${message.ok ? "alert-ok" : "alert-error"}`}>
          <MessageText message={toMessage(message.text)} />
        </div>
      )}
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
      return `${name} deleted. Its ClickHouse table stays where it is.`;
  }
}
