import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../../test/render";
import { toMessage } from "../../lib/message";
import { aConnector, aRun } from "../../test/fixtures";
import { ConnectorTable } from "./ConnectorTable";
import { ConnectorsPage } from "./ConnectorsPage";
import { connectorKeys } from "./api";

describe("ConnectorTable", () => {
  const connectors = [
    aConnector(),
    aConnector({
      id: 2,
      name: "orders",
      status: "error",
      consecutiveFailures: 5,
      lastResult: aRun({ id: 9, status: "failed", rowsWritten: 0, durationMs: 350, error: toMessage("Connection refused") }),
    }),
    aConnector({ id: 3, name: "users", status: "paused", lastResult: aRun({ rowsWritten: 1500, durationMs: 65_000 }) }),
  ];

  it("shows the rows in ClickHouse, or why they are not known", () => {
    const measured = [
      aConnector({ statistics: { rows: 1_234_567, newestChange: null, error: null } }),
      aConnector({ id: 2, name: "orders", statistics: { rows: null, newestChange: null, error: toMessage("ClickHouse at ch:8123 refused the connection") } }),
      aConnector({ id: 3, name: "users", statistics: { rows: null, newestChange: null, error: null } }),
    ];
    renderWithProviders(<ConnectorTable connectors={measured} busyId={null} onAction={vi.fn()} />);
    const cells = screen.getAllByRole("cell").filter((c) => c.dataset.label === "Rows in ClickHouse");
    expect(cells.map((c) => c.firstChild?.textContent)).toEqual(["1,234,567", "unknown", "no table yet"]);
    const [, unknown] = cells;
    if (unknown === undefined) throw new Error("no second row");
    expect(within(unknown).getByText("unknown")).toHaveAttribute("title", "ClickHouse at ch:8123 refused the connection");
  });

  it("shows each connector's status, rows of the last run, duration and failures", () => {
    renderWithProviders(<ConnectorTable connectors={connectors} busyId={null} onAction={vi.fn()} />);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(3);

    const [visited, orders, users] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(visited).getByRole("link", { name: "visited_sites" })).toHaveAttribute("href", "/connectors/1");
    expect(within(visited).getByText("Succeeded")).toBeInTheDocument();
    expect(within(visited).getByText("120,000")).toBeInTheDocument();
    expect(within(visited).getByText("2.0 s")).toBeInTheDocument();

    expect(within(orders).getByText("Error")).toBeInTheDocument();
    expect(within(orders).getByText("5")).toHaveClass("text-danger");
    expect(within(orders).getByRole("button", { name: "Resume orders" })).toBeEnabled();

    expect(within(users).getByText("Paused")).toBeInTheDocument();
    expect(within(users).getByText("1,500")).toBeInTheDocument();
    expect(within(users).getByText("1 min 5 s")).toBeInTheDocument();
  });

  it("offers pause on an active connector and disables sync while one runs", async () => {
    const onAction = vi.fn();
    renderWithProviders(<ConnectorTable connectors={[aConnector({ running: true })]} busyId={null} onAction={onAction} />);
    expect(screen.getByRole("button", { name: "Sync visited_sites now" })).toBeDisabled();
    await userEvent.click(screen.getByRole("button", { name: "Pause visited_sites" }));
    expect(onAction).toHaveBeenCalledWith(expect.objectContaining({ id: 1 }), "pause");
  });
});

describe("ConnectorsPage", () => {
  it("tells a new user what to do when there are no connectors", () => {
    renderWithProviders(<ConnectorsPage />, { cache: [[connectorKeys.list(), []]] });
    expect(screen.getByRole("heading", { name: "No connectors yet" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Create your first connector" })).toHaveAttribute("href", "/connectors/new");
  });

  it("asks for confirmation before deleting", async () => {
    renderWithProviders(<ConnectorsPage />, { cache: [[connectorKeys.list(), [aConnector()]]] });
    await userEvent.click(screen.getByRole("button", { name: "Delete visited_sites" }));
    const dialog = screen.getByRole("dialog", { name: "Delete visited_sites?" });
    expect(within(dialog).getByText(/ClickHouse table stays/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

describe("ConnectorsPage after a deletion elsewhere", () => {
  it("says what was deleted, once: the notice leaves the history entry", async () => {
    const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY, refetchInterval: false } } });
    queryClient.setQueryData(connectorKeys.list(), []);
    const router = createMemoryRouter([{ path: "/", element: <ConnectorsPage /> }], {
      initialEntries: [{ pathname: "/", state: { notice: "orders deleted. Its ClickHouse table stays where it is." } }],
    });
    render(
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>,
    );
    expect(await screen.findByText("orders deleted. Its ClickHouse table stays where it is.")).toBeInTheDocument();
    await expect.poll((): unknown => router.state.location.state).toBeNull();
    expect(screen.getByText(/orders deleted/)).toBeInTheDocument();
  });
});
