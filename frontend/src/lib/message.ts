/* A message as a person reads it: one short line, and the full text (a driver's dump, a stack
   trace) only when asked for. The API sends the engine's short line and the drivers' text apart
   (`error` and `errorDetail`, a log line's `message` and `detail`): `toMessage(line, details)`
   takes both as they come, and still cuts a long text of its own into a line and its details. */
export interface Message {
  /** One line of at most `maxLineLength` characters, never broken over several lines by newlines. */
  line: string;
  /** The full text when the line does not say all of it, else null. */
  details: string | null;
}

export const maxLineLength = 120;

export function toMessage(text: string, details: string | null = null): Message {
  const full = text.trim();
  const firstLine = full.split(/\r?\n/, 1)[0]?.trim() ?? "";
  const line = clip(firstLine, maxLineLength);
  const extra = details?.trim() ?? "";
  if (extra !== "") return { line, details: extra };
  return { line, details: line === full ? null : full };
}

/** Cut at the last space before `max` (unless that loses too much), never inside a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = text.lastIndexOf(" ", max - 1);
  if (end < max * 0.6) end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end).replace(/[\s,;:({[=]+$/, "")}…`;
}
