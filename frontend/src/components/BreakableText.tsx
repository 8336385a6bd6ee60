import { breakPoints } from "../lib/breaks";

/** A URI, checkpoint or dotted name that wraps at its separators rather than mid-word. Each part is
    an inline block: the line may break between parts, and inside one (at a hyphen, say) only when
    the part alone is wider than the line. */
export function BreakableText({ text }: { text: string }) {
  return (
    <span className="breakable">
      {breakPoints(text).map((part, i) => (
        <span key={i} className="breakable-part">
          {part}
        </span>
      ))}
    </span>
  );
}
