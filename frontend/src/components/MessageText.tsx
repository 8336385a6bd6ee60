import type { Message } from "../lib/message";

/** A message's short line, with the full text behind a "Details" disclosure when there is more.
    The disclosure is a block: put this in a flow container (li, td, div), never in a p. */
export function MessageText({ message }: { message: Message }) {
  return (
    <>
      <span className="message-line">{message.line}</span>
      {message.details !== null && (
        <details className="message-details">
          <summary>Details</summary>
          <pre>{message.details}</pre>
        </details>
      )}
    </>
  );
}
