import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { toMessage } from "../../lib/message";
import { aRun, mistypedHostError, mistypedHostLine } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { LogList } from "../logs/LogList";
import { RunProgress } from "./RunProgress";
import { RunsTable } from "./RunsTable";

describe("RunsTable", () => {
  it("shows a failed run's error as its one short line, the drivers' text behind Details", async () => {
    renderWithProviders(<RunsTable runs={[aRun({ status: "failed", rowsWritten: 0, error: toMessage(mistypedHostLine, mistypedHostError) })]} />);
    const cell = screen.getByRole("cell", { name: /MongoDB host mongo-typo\.invalid not found/ });
    const line = cell.querySelector(".message-line");
    expect(line?.textContent.length).toBeLessThanOrEqual(120);
    expect(within(cell).queryByText(/Name or service not known/)).not.toBeVisible();

    await userEvent.click(within(cell).getByText("Details"));
    expect(within(cell).getByText(/Name or service not known/)).toBeVisible();
  });

  it("shows rows per second and the start in the chart's time format", () => {
    renderWithProviders(<RunsTable runs={[aRun({ rowsWritten: 1500, durationMs: 3000, rowsPerSecond: 500 })]} />);
    const [, row] = screen.getAllByRole("row");
    if (row === undefined) throw new Error("no run row");
    expect(within(row).getByText("500")).toHaveAttribute("data-label", "Rows/s");
    expect(within(row).getByText(/^Nov 2[34], \d\d:\d\d:00$/)).toBeInTheDocument();
  });
});

describe("RunProgress", () => {
  it("shows a first load's bar against the estimate, with its numbers so far", () => {
    renderWithProviders(
      <RunProgress run={aRun({ status: "running", finishedAt: null, durationMs: null, rowsRead: 20_500, rowsWritten: 20_000, estimatedRows: 32_000, progress: 20_500 / 32_000, rowsPerSecond: 5120 })} />,
    );
    const bar = screen.getByRole("progressbar", { name: "Run 1 progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "64");
    expect(bar.querySelector(".progress-bar")).toHaveStyle({ width: "64%" });
    expect(screen.getByText(/20,500 of ~32,000 read · 20,000 written · 5,120 rows\/s/)).toBeInTheDocument();
  });

  it("shows no bar for a run without an estimate (an incremental run), only its numbers", () => {
    renderWithProviders(<RunProgress run={aRun({ status: "running", rowsRead: 40, rowsWritten: 40, rowsPerSecond: null })} />);
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(screen.getByText(/^40 read · 40 written$/)).toBeInTheDocument();
  });
});

describe("LogList", () => {
  it("shows a long log line short, with its details on request", () => {
    const message = toMessage(`Run 4 failed: 0 read, 0 written, 0 failed in 10176 ms. ${mistypedHostError}`);
    renderWithProviders(<LogList entries={[{ id: 1, time: new Date("2026-11-23T10:00:00Z"), level: "error", connectorId: 1, runId: 4, message }]} />);
    expect(screen.getByText(/^Run 4 failed: 0 read, 0 written, 0 failed in 10176 ms\. MongoDB at .*…$/)).toBeInTheDocument();
    expect(screen.getByText("Details")).toBeInTheDocument();
  });
});
