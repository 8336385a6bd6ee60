import { useQueryClient } from "@tanstack/react-query";
import { useState, useSyncExternalStore } from "react";
import { auth } from "../api/auth";
import { Modal } from "./Modal";

/** Shown when the service answers 401: asks for the API key, then reloads every query with it. */
export function ApiKeyPrompt() {
  const { prompt } = useSyncExternalStore(auth.subscribe, auth.getSnapshot);
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  if (prompt === "none") return null;

  return (
    <Modal title="API key required">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim() === "") return;
          auth.setKey(key.trim());
          setKey("");
          void queryClient.invalidateQueries();
        }}
      >
        {prompt === "rejected" ? (
          <p className="alert alert-error" role="alert">
            The API key was refused by the server. Check it and enter it again.
          </p>
        ) : (
          <p>This Zenith server requires an API key. It is kept only until this browser tab closes.</p>
        )}
        <div className="field">
          <label htmlFor="api-key">API key</label>
          <input id="api-key" type="password" autoComplete="off" value={key} onChange={(e) => { setKey(e.target.value); }} />
        </div>
        <div className="modal-actions">
          <button type="submit" className="button button-primary" disabled={key.trim() === ""}>
            Use this key
          </button>
        </div>
      </form>
    </Modal>
  );
}
