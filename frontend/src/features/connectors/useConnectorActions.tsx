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

/** The actions a person confirms first, and what the confirmation says. */
const confirmations = {
  delete: (c: Connector) => ({
    title: `Delete ${c.name}?`,
    message: "The connector, its checkpoint and its run history are removed. The ClickHouse table stays where it is.",
    confirmLabel: "Delete connector",
  }),
  reset: (c: Connector) => ({
    title: `Reset the checkpoint of ${c.name}?`,
    message: `Its next run copies the whole collection again into ${c.destination.database}.${c.destination.table}; rows written again collapse under FINAL. A running sync stops first.`,
    confirmLabel: "Reset checkpoint",
  }),
  resync: (c: Connector) => ({
    title: `Resync ${c.name}?`,
    message: `Everything is reloaded into a new table, then swapped in for ${c.destination.database}.${c.destination.table} at once: readers see the old table until then, never a partial one. The checkpoint follows the reload.`,
    confirmLabel: "Resync",
  }),
} satisfies Partial<Record<ConnectorAction, (c: Connector) => { title: string; message: string; confirmLabel: string }>>;

type ConfirmedAction = keyof typeof confirmations;
const needsConfirmation = (action: ConnectorAction): action is ConfirmedAction => action in confirmations;

/** Sync/pause/resume/delete/reset/resync, the last three confirmed first, with the outcome said in a live region. */
export function useConnectorActions(options: Options = {}) {
  const mutation = useConnectorAction();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState<{ connector: Connector; action: ConfirmedAction } | null>(null);
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
    if (needsConfirmation(action)) setConfirming({ connector, action });
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
      {...confirmations[confirming.action](confirming.connector)}
      busy={mutation.isPending}
      onConfirm={() => {
        perform(confirming.connector, confirming.action);
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
    case "reset":
      return `${name}: checkpoint reset; the next run starts from the beginning.`;
    case "resync":
      return `${name}: resync started; the new table is swapped in when it is loaded.`;
  }
}
