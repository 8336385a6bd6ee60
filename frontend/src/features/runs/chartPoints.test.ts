import { describe, expect, it } from "vitest";
import { toMessage } from "../../lib/message";
import { aRun } from "../../test/fixtures";
import { chartPoints, rateTicks } from "./chartPoints";

describe("chartPoints", () => {
  const runs = [
    aRun({ id: 4, status: "running", durationMs: null, rowsPerSecond: null }),
    aRun({ id: 3, status: "failed", rowsWritten: 0, durationMs: 350, rowsPerSecond: 0, error: toMessage("Connection refused") }),
    aRun({ id: 2, status: "succeeded", rowsWritten: 12, durationMs: 400, rowsPerSecond: 30 }),
    aRun({ id: 1, status: "succeeded", rowsWritten: 1_200_000, durationMs: 10_000, rowsPerSecond: 120_000 }),
  ];

  it("plots finished runs oldest first, with their rate and how they ended", () => {
    expect(chartPoints(runs).map((p) => [p.id, p.status, p.rowsPerSecond, p.error])).toEqual([
      [1, "succeeded", 120_000, null],
      [2, "succeeded", 30, null],
      [3, "failed", 0, "Connection refused"],
    ]);
  });

  it("puts ticks at powers of ten up to the fastest run", () => {
    expect(rateTicks(chartPoints(runs))).toEqual([0, 1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]);
    expect(rateTicks([])).toEqual([0, 1, 10]);
  });
});
