import { describe, expect, it } from "vitest";
import { mistypedHostError } from "../test/fixtures";
import { maxLineLength, toMessage } from "./message";

describe("toMessage", () => {
  it("makes the driver's 2,000-character dump one short line that still says what failed, keeping all of it as details", () => {
    const message = toMessage(mistypedHostError);
    expect(message.line.length).toBeLessThanOrEqual(maxLineLength);
    expect(message.line).not.toContain("\n");
    expect(message.line).toMatch(/^MongoDB at mongo-typo\.invalid:27017 is unreachable: A timeout occurred after 9998ms selecting a server.*…$/);
    expect(message.details).toBe(mistypedHostError);
  });

  it("keeps a short message whole, without details", () => {
    expect(toMessage("  Connection refused (127.0.0.1:1)  ")).toEqual({ line: "Connection refused (127.0.0.1:1)", details: null });
  });

  it("takes the first line of a message that has several", () => {
    expect(toMessage("Could not create the table.\nat Zenith.Sync...")).toEqual({
      line: "Could not create the table.",
      details: "Could not create the table.\nat Zenith.Sync...",
    });
  });

  it("cuts a long line without spaces at the limit, and never inside a character", () => {
    const line = toMessage(`${"x".repeat(maxLineLength - 2)}😀😀😀`).line;
    expect(line.length).toBeLessThanOrEqual(maxLineLength);
    expect(line.endsWith("x…")).toBe(true);
  });

  it("uses details sent apart from the line (the engine's short errors)", () => {
    expect(toMessage("MongoDB host not found: mongo-typo.invalid", mistypedHostError)).toEqual({
      line: "MongoDB host not found: mongo-typo.invalid",
      details: mistypedHostError,
    });
  });
});
