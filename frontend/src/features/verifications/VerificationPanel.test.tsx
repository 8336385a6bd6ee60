import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { renderWithProviders } from "../../test/render";
import { type Verification, verificationKeys } from "./api";
import { VerificationPanel } from "./VerificationPanel";

const finished = (overrides: Partial<Verification> = {}): Verification => ({
  id: 2,
  connectorId: 1,
  trigger: "manual",
  status: "succeeded",
  startedAt: new Date("2026-11-23T10:00:00Z"),
  finishedAt: new Date("2026-11-23T10:00:03Z"),
  phase: "done",
  idsCompared: 1000,
  estimatedTotal: 1000,
  durationMs: 3000,
  error: null,
  report: {
    sourceCount: 1000,
    destinationCount: 999,
    missing: 1,
    extra: 0,
    stale: 0,
    pending: 0,
    sampled: 1000,
    valueMismatches: 1,
    changedDuringVerification: 0,
    clean: false,
    missingIds: [{ id: "656f0c", type: "objectId" }],
    extraIds: [],
    staleIds: [],
    mismatches: [{ id: { id: "656f0d", type: "objectId" }, columns: [{ column: "device_type", sourcePath: "device.type", reason: "differs" }] }],
    notes: [],
  },
  ...overrides,
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("VerificationPanel", () => {
  it("shows the latest result's differences with their ids and paths", () => {
    renderWithProviders(<VerificationPanel connectorId={1} />, { cache: [[verificationKeys.forConnector(1), [finished()]]] });
    const result = screen.getByTestId("verification-result");
    expect(result).toHaveAttribute("data-clean", "false");
    expect(within(result).getByText("The table differs from the collection.")).toBeInTheDocument();
    expect(screen.getByTestId("count-Missing rows")).toHaveTextContent("1");
    expect(within(result).getByText(/656f0c/)).toBeInTheDocument();
    expect(within(result).getByText("656f0d: device.type (differs)")).toBeInTheDocument();
  });

  it("offers Cancel while one runs, with its progress, and Verify starts one", async () => {
    const cancel = vi.spyOn(api, "cancelVerification").mockResolvedValue({} as never);
    const running = finished({ id: 3, status: "running", phase: "ids", idsCompared: 250, report: null, finishedAt: null });
    renderWithProviders(<VerificationPanel connectorId={1} />, { cache: [[verificationKeys.forConnector(1), [running]]] });
    expect(screen.getByTestId("verification-progress")).toHaveTextContent("Comparing ids: 250 of about 1,000");
    await userEvent.click(screen.getByRole("button", { name: "Cancel verification" }));
    expect(cancel).toHaveBeenCalledWith(3);
  });
});
