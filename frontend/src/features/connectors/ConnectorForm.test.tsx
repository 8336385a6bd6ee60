import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../../api/problem";
import { renderWithProviders } from "../../test/render";
import { ConnectorForm } from "./ConnectorForm";
import { type ConnectorDraft, emptyDraft, toRequest } from "./api";

function renderForm(
  onSave: (draft: ConnectorDraft) => Promise<void>,
  options: { connectorId?: number; initial?: ConnectorDraft; credentialsUnreadable?: boolean } = {},
) {
  return renderWithProviders(
    <ConnectorForm
      connectorId={options.connectorId ?? null}
      initial={options.initial ?? emptyDraft}
      credentialsUnreadable={options.credentialsUnreadable ?? false}
      onSave={onSave}
      onCancel={vi.fn()}
    />,
  );
}

const saved: ConnectorDraft = {
  ...emptyDraft,
  name: "visits",
  source: { ...emptyDraft.source, uri: "mongodb://app:***@mongo:27017/?authSource=admin", database: "m", collection: "c" },
  destination: { ...emptyDraft.destination, uri: "http://default:***@clickhouse:8123", table: "t" },
};

describe("ConnectorForm", () => {
  it("shows the API's field errors beside their fields and opens the advanced section for theirs", async () => {
    const onSave = vi.fn().mockRejectedValue(
      new ApiError(400, {
        title: "One or more validation errors occurred.",
        errors: {
          "Source.Uri": ["The source URI must start with mongodb:// or mongodb+srv://."],
          intervalSeconds: ["The interval must be at least 1 second."],
          "table.ttl": ["The TTL expression is not valid."],
          unknownThing: ["Something else."],
        },
      }),
    );
    renderForm(onSave);
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));

    const uri = await screen.findByLabelText(/Connection string/);
    expect(uri).toHaveAttribute("aria-invalid", "true");
    expect(uri).toHaveAccessibleDescription(expect.stringContaining("must start with mongodb://") as string);
    expect(uri).toHaveFocus();
    expect(screen.getByLabelText(/Interval/)).toHaveAccessibleDescription(expect.stringContaining("The interval must be at least 1 second.") as string);
    expect(screen.getByLabelText("TTL")).toBeVisible();
    expect(screen.getByLabelText("TTL")).toHaveAccessibleDescription(expect.stringContaining("TTL expression is not valid") as string);
    expect(screen.getByRole("alert")).toHaveTextContent("Some fields need attention. unknownThing: Something else.");
    expect(screen.getByLabelText(/Name/)).toHaveAttribute("aria-invalid", "false");
  });

  it("for a change stream asks what to do when the position falls off the oplog instead of an interval, and sends it", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    renderForm(onSave);
    await userEvent.selectOptions(screen.getByLabelText("Mode"), "change_stream");
    expect(screen.queryByLabelText(/Interval/)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/Settle window/)).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("When the position falls off the oplog"), "error");
    await userEvent.type(screen.getByLabelText(/^Name/), "orders");
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    const draft = (onSave.mock.calls[0] as [ConnectorDraft])[0];
    expect(toRequest(draft)).toMatchObject({ mode: "change_stream", onHistoryLost: "error" });
    expect(toRequest({ ...draft, mode: "full" }).onHistoryLost).toBeNull();
  });

  it("shows a problem without field errors as one message", async () => {
    renderForm(vi.fn().mockRejectedValue(new ApiError(409, { title: "Conflict", detail: "A connector named orders exists." })));
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Conflict: A connector named orders exists.");
  });

  it("masks a password typed into a connection string and still sends it", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    renderForm(onSave);
    const uri = screen.getByLabelText(/Connection string/);
    await userEvent.clear(uri);
    await userEvent.type(uri, "mongodb://app:hunter2@db:27017/");
    await userEvent.tab();
    expect(uri).toHaveValue("mongodb://app:***@db:27017/");
    const password = screen.getAllByLabelText("Password")[0];
    expect(password).toHaveAttribute("type", "password");
    expect(password).toHaveValue("hunter2");

    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    const draft = onSave.mock.calls[0]?.[0] as ConnectorDraft;
    expect(toRequest(draft).source.uri).toBe("mongodb://app:hunter2@db:27017/");
  });

  it("flags a number field holding text without sending the form", async () => {
    const onSave = vi.fn();
    renderForm(onSave);
    await userEvent.type(screen.getByLabelText("Batch size"), "lots");
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(await screen.findByText("Enter a whole number.")).toBeInTheDocument();
    expect(screen.getByLabelText("Batch size")).toHaveAttribute("aria-invalid", "true");
    expect(onSave).not.toHaveBeenCalled();
  });

  it("asks for the cursor field only in timestamp mode", async () => {
    renderForm(vi.fn());
    expect(screen.queryByLabelText("Cursor field")).not.toBeInTheDocument();
    await userEvent.selectOptions(screen.getByLabelText("Mode"), "incremental_timestamp");
    expect(screen.getByLabelText("Cursor field")).toHaveValue("updated_at");
  });

  it("asks for the settle window in the incremental modes, says the key ends with _id, and sends what was typed", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    renderForm(onSave);
    const settle = screen.getByLabelText("Settle window (seconds)");
    expect(settle).toHaveAccessibleDescription(expect.stringContaining("Blank: 5.") as string);
    expect(screen.getByLabelText("ORDER BY")).toHaveAccessibleDescription(expect.stringContaining("always ends it with _zenith_id_type, _id") as string);
    await userEvent.type(settle, "0");
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(toRequest(onSave.mock.calls[0]?.[0] as ConnectorDraft).settleSeconds).toBe(0);

    await userEvent.selectOptions(screen.getByLabelText("Mode"), "full");
    expect(screen.queryByLabelText("Settle window (seconds)")).not.toBeInTheDocument();
  });

  it("refuses a name with other characters than its hint allows, beside the field, without sending the form", async () => {
    const onSave = vi.fn();
    renderForm(onSave);
    const name = screen.getByLabelText(/Name/);
    await userEvent.type(name, "my connector!");
    await userEvent.tab();
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(name).toHaveAccessibleDescription(expect.stringContaining("Use only letters (a–z, A–Z), digits and underscores") as string);
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(onSave).not.toHaveBeenCalled();

    await userEvent.clear(name);
    await userEvent.type(name, "my_connector_2");
    expect(name).toHaveAttribute("aria-invalid", "false");
  });

  it("keeps a stored name the rule came after, so the connector can still be edited", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    renderForm(onSave, { connectorId: 4, initial: { ...emptyDraft, name: "orders-eu" } });
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(onSave).toHaveBeenCalledOnce();
  });

  it("asks for the password again when an edit points the saved one at another server", async () => {
    renderForm(vi.fn(), { connectorId: 3, initial: saved });
    const destinationPassword = screen.getAllByLabelText("Password")[1];
    if (!destinationPassword) throw new Error("the form has no destination password field");
    expect(destinationPassword).not.toHaveAccessibleDescription(expect.stringContaining("type the password again") as string);

    const address = screen.getByLabelText(/HTTP address/);
    await userEvent.clear(address);
    await userEvent.type(address, "http://default:***@some-other-host:8123");
    expect(destinationPassword).toHaveAccessibleDescription(expect.stringContaining("type the password again") as string);

    await userEvent.type(destinationPassword, "typed");
    expect(destinationPassword).not.toHaveAccessibleDescription(expect.stringContaining("type the password again") as string);
  });

  it("shows the service's refusal of a masked password beside the password field", async () => {
    const onSave = vi.fn().mockRejectedValue(
      new ApiError(400, {
        title: "The connector is not valid.",
        errors: { "destination.uri": ["The password is masked (***) but the server, user, authentication, TLS or proxy options changed: type the password again."] },
      }),
    );
    renderForm(onSave, { connectorId: 3, initial: saved });
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    const destinationPassword = screen.getAllByLabelText("Password")[1];
    if (!destinationPassword) throw new Error("the form has no destination password field");
    expect(destinationPassword).toHaveAttribute("aria-invalid", "true");
    expect(destinationPassword).toHaveFocus();
    expect(screen.getByLabelText(/HTTP address/)).toHaveAttribute("aria-invalid", "false");
  });

  it("asks for both passwords when the saved ones cannot be decrypted", () => {
    renderForm(vi.fn(), { connectorId: 3, initial: saved, credentialsUnreadable: true });
    for (const password of screen.getAllByLabelText("Password")) {
      expect(password).toHaveAccessibleDescription(expect.stringContaining("credentials unreadable") as string);
    }
  });

  it("puts the checks before saving: test connection, then preview mapping, then create", () => {
    renderForm(vi.fn());
    const order = screen
      .getAllByRole("button")
      .map((b) => b.textContent)
      .filter((text) => text === "Test connection" || text === "Preview mapping" || text === "Create connector");
    expect(order).toEqual(["Test connection", "Preview mapping", "Create connector"]);
    // An unsaved connector is sampled as typed (POST /api/connectors/preview).
    expect(screen.getByRole("button", { name: "Preview mapping" })).toBeEnabled();
  });

  it("creates paused when asked, and offers it for new connectors only", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    renderForm(onSave);
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(onSave).toHaveBeenLastCalledWith(expect.anything(), { paused: false });
    await userEvent.click(screen.getByRole("checkbox", { name: /Create paused/ }));
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));
    expect(onSave).toHaveBeenLastCalledWith(expect.anything(), { paused: true });
  });

  it("has no create-paused choice when editing", () => {
    renderForm(vi.fn(), { connectorId: 4 });
    expect(screen.queryByRole("checkbox", { name: /Create paused/ })).toBeNull();
  });

  it("edits field rules, sends them with the connector, and shows a rule's error from the API beside it", async () => {
    const onSave = vi.fn().mockRejectedValueOnce(
      new ApiError(400, { title: "The connector is not valid.", errors: { "mapping.rules[1]": ["The type of amount must be one of String, Int64 (got \"Money\")."] } }),
    );
    renderForm(onSave);
    await userEvent.click(screen.getByText(/Advanced/));
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    await userEvent.type(screen.getByLabelText("Rule 1 path"), "customer.email");
    await userEvent.click(screen.getByRole("button", { name: "Add rule" }));
    await userEvent.type(screen.getByLabelText("Rule 2 path"), "amount");
    await userEvent.selectOptions(screen.getByLabelText("Rule 2 action"), "type");
    await userEvent.type(screen.getByLabelText("Rule 2 value"), "Money");
    await userEvent.click(screen.getByRole("button", { name: "Create connector" }));

    const draft = onSave.mock.calls[0]?.[0] as ConnectorDraft;
    expect(toRequest(draft).mapping?.rules).toEqual([
      { path: "customer.email", action: "exclude", value: null },
      { path: "amount", action: "type", value: "Money" },
    ]);
    const path = await screen.findByLabelText("Rule 2 path");
    expect(path).toHaveAttribute("aria-invalid", "true");
    expect(path).toHaveAccessibleDescription(expect.stringContaining("must be one of String") as string);
  });
});
