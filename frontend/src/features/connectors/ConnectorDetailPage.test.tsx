import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../api/client";
import { toMessage } from "../../lib/message";
import { aConnector } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { logKeys } from "../logs/api";
import { runKeys } from "../runs/api";
import { ConnectorDetailPage } from "./ConnectorDetailPage";
import { connectorKeys } from "./api";

function renderDetail(connector = aConnector()) {
  return renderWithProviders(
    <Routes>
      <Route path="/connectors/:id" element={<ConnectorDetailPage />} />
    </Routes>,
    {
      path: `/connectors/${connector.id}`,
      cache: [
        [connectorKeys.detail(connector.id), connector],
        [runKeys.forConnector(connector.id, 50), []],
        [logKeys.list({ connectorId: connector.id, limit: 100 }), []],
      ],
    },
  );
}

describe("ConnectorDetailPage", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("shows what the user should fix and the settle window", () => {
    renderDetail(aConnector({
      warnings: [{ kind: "missing_index", message: toMessage('No index gives incremental_timestamp\'s order (updated_at, _id). Create it: db.getCollection("visits").createIndex({ "updated_at": 1, "_id": 1 })') }],
    }));
    const warnings = screen.getByRole("list", { name: "Warnings" });
    expect(within(warnings).getByText(/createIndex\(\{ "updated_at": 1, "_id": 1 \}\)/)).toBeInTheDocument();
    expect(screen.getByText("Settle window").nextSibling).toHaveTextContent("5 s");
  });

  it("resets the checkpoint and resyncs only after a confirmation that says what happens", async () => {
    const reset = vi.spyOn(api, "resetConnector").mockResolvedValue({} as never);
    const resync = vi.spyOn(api, "resyncConnector").mockResolvedValue({} as never);
    renderDetail();

    await userEvent.click(screen.getByRole("button", { name: "Reset checkpoint" }));
    const resetDialog = screen.getByRole("dialog", { name: "Reset the checkpoint of visited_sites?" });
    expect(resetDialog).toHaveTextContent("copies the whole collection again into analytics.visited_sites");
    await userEvent.click(within(resetDialog).getByRole("button", { name: "Cancel" }));
    expect(reset).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Reset checkpoint" }));
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Reset checkpoint" }));
    expect(reset).toHaveBeenCalledWith(1);
    expect(await screen.findByText("visited_sites: checkpoint reset; the next run starts from the beginning.")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Resync" }));
    const resyncDialog = screen.getByRole("dialog", { name: "Resync visited_sites?" });
    expect(resyncDialog).toHaveTextContent("never a partial one");
    await userEvent.click(within(resyncDialog).getByRole("button", { name: "Resync" }));
    expect(resync).toHaveBeenCalledWith(1);
  });
});
