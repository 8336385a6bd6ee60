import { describe, expect, it } from "vitest";
import { toMessage } from "../../lib/message";
import { aConnector, aRun, mistypedHostError } from "../../test/fixtures";
import { connectorBadge, formatLag } from "./status";

describe("connectorBadge", () => {
  it("puts a stuck run and unreadable credentials first: they are what the user must act on", () => {
    expect(connectorBadge(aConnector({ running: true, stuck: true })).label).toBe("Stuck");
    expect(connectorBadge(aConnector({ status: "paused", credentialsUnreadable: true })).label).toBe("Credentials unreadable");
  });

  it("says succeeded when the latest run succeeded", () => {
    expect(connectorBadge(aConnector()).kind).toBe("succeeded");
  });

  it("says failed, with the run's error as its description, when the latest run failed", () => {
    const badge = connectorBadge(aConnector({ lastResult: aRun({ status: "failed", error: toMessage("Connection refused (127.0.0.1:1)") }), consecutiveFailures: 1 }));
    expect(badge.kind).toBe("failed");
    expect(badge.description).toBe("Connection refused (127.0.0.1:1)");
  });

  it("keeps the tooltip of a failed badge to the error's short line", () => {
    const badge = connectorBadge(aConnector({ lastResult: aRun({ status: "failed", error: toMessage(mistypedHostError) }), consecutiveFailures: 1 }));
    expect(badge.description).toMatch(/^MongoDB at mongo-typo\.invalid:27017 is unreachable: .{20,}…$/);
    expect(badge.description.length).toBeLessThanOrEqual(120);
  });

  it("says running while a sync runs, even on a paused connector", () => {
    expect(connectorBadge(aConnector({ running: true })).kind).toBe("running");
    expect(connectorBadge(aConnector({ running: true, status: "paused" })).kind).toBe("running");
  });

  it("says paused over how the latest run ended", () => {
    expect(connectorBadge(aConnector({ status: "paused", lastResult: aRun({ status: "failed" }) })).kind).toBe("paused");
  });

  it("says error with the failure count when the connector stopped after repeated failures", () => {
    const badge = connectorBadge(aConnector({ status: "error", consecutiveFailures: 5, lastResult: aRun({ status: "failed" }) }));
    expect(badge.kind).toBe("error");
    expect(badge.description).toContain("5 consecutive failures");
  });

  it("says not run yet for a new connector", () => {
    expect(connectorBadge(aConnector({ lastResult: null, lastSuccessAt: null })).label).toBe("Not run yet");
  });
});

describe("formatLag", () => {
  it("says how far behind a streaming connector is and whether it caught up", () => {
    expect(formatLag(aConnector({ mode: "change_stream", running: true, lag: { seconds: 0.44, caughtUp: true } }))).toBe("0.4 s behind · caught up");
    expect(formatLag(aConnector({ mode: "change_stream", running: true, lag: { seconds: 75.4, caughtUp: false } }))).toBe("75 s behind");
    expect(formatLag(aConnector({ mode: "change_stream", running: true, lag: null }))).toBe("loading the collection");
    expect(formatLag(aConnector({ mode: "change_stream", running: false, lag: null }))).toBe("not streaming");
  });
});
