import { Fragment } from "react";
import { breakPoints } from "../lib/breaks";

/** A URI, checkpoint or dotted name that wraps at its separators rather than mid-word. */
export function BreakableText({ text }: { text: string }) {
  return (
    <span className="breakable">
      {breakPoints(text).map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
