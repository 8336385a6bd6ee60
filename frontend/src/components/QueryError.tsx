import { ApiError, errorMessage } from "../api/problem";
import { toMessage } from "../lib/message";
import { MessageText } from "./MessageText";

/** A failed load, said plainly; 401s are left to the API key prompt. */
export function QueryError({ error, what }: { error: unknown; what: string }) {
  if (error instanceof ApiError && error.status === 401) return <p className="muted">Waiting for the API key…</p>;
  return (
    <div className="alert alert-error" role="alert">
      <MessageText message={toMessage(`Could not load ${what}: ${errorMessage(error)}`)} />
    </div>
  );
}
