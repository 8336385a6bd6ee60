// The dashboard in headless Chromium against the real Zenith process, the MongoDB wire-protocol
// test server and the chdb-based ClickHouse test server: what a user does, checked as a user would.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MongoClient } from "mongodb";
import { launchBrowser, screenshot } from "./support/browser.mjs";
import { freePort, startTestServers, startZenith } from "./support/processes.mjs";

// Generous bounds for a shared 2-core machine: the conditions are awaited, never slept for.
const syncTimeout = 120_000;

let servers;
let zenith;
let browser;
let mongo;
const database = `e2e_${Date.now()}`;
const documentCount = 1234;

before(async () => {
  servers = await startTestServers();
  zenith = await startZenith();
  mongo = new MongoClient(servers.mongoUri);
  const visits = Array.from({ length: documentCount }, (_, i) => ({
    site: `site-${i % 17}`,
    organization_id: i % 5,
    device: { type: i % 2 === 0 ? "mobile" : "desktop", browser: { name: "Firefox", version: 140 } },
    updated_at: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
  }));
  await mongo.db(database).collection("visited_sites").insertMany(visits);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await mongo?.close();
  await zenith?.stop();
  await servers?.stop();
});

async function newPage(viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

async function apiCall(method, path, body) {
  const response = await fetch(`${zenith.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? null : JSON.parse(text) };
}

/** A connector made through the API, for tests about what happens to one that exists. */
async function createConnector(name, overrides = {}) {
  const { status, body } = await apiCall("POST", "/api/connectors", {
    name,
    source: { uri: servers.mongoUri, database, collection: "visited_sites" },
    destination: { uri: servers.clickHouseUrl, database: "default", table: name },
    mode: "incremental_id",
    intervalSeconds: 3600,
    ...overrides,
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

async function clickHouseCount(table) {
  const response = await fetch(`${servers.clickHouseUrl}/?query=${encodeURIComponent(`SELECT count() FROM default.${table} FINAL`)}`);
  assert.equal(response.status, 200, await response.clone().text());
  return Number((await response.text()).trim());
}

/** The list page's row for a connector. */
const connectorRow = (page, name) => page.locator(`tr[data-connector="${name}"]`);

describe("the dashboard", () => {
  // First in the file, on a fresh service: the only test that needs the connector list empty.
  test("a new user sees what to do, and a validation error from the API is shown beside its field", async () => {
    const page = await newPage();
    await page.goto(zenith.url);
    await page.getByRole("heading", { name: "No connectors yet" }).waitFor();
    await screenshot(page, "01-empty-state");

    await page.getByRole("link", { name: "Create your first connector" }).click();
    await page.getByLabel("Name").fill("bad_interval");
    await page.getByLabel("Interval (seconds)").fill("0");
    await page.getByLabel("Connection string").fill(servers.mongoUri);
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Collection").fill("visited_sites");
    await page.getByLabel("Table").fill("bad_interval");
    await page.getByRole("button", { name: "Create connector" }).click();

    const interval = page.getByLabel("Interval (seconds)");
    const error = page.locator("#field-intervalSeconds-error");
    await error.waitFor();
    assert.match(await error.textContent(), /interval must be between 1 and/i);
    assert.equal(await interval.getAttribute("aria-invalid"), "true");
    assert.match(await interval.getAttribute("aria-describedby"), /field-intervalSeconds-error/);
    // Nothing was created.
    assert.ok(!(await apiCall("GET", "/api/connectors")).body.some((c) => c.name === "bad_interval"));
    await screenshot(page, "02-validation-error");
    await page.context().close();
  });

  test("a connector created through the form syncs every document of the collection", async () => {
    const page = await newPage();
    await page.goto(`${zenith.url}/connectors/new`);
    await page.getByLabel("Name").fill("visits_form");
    await page.getByLabel("Interval (seconds)").fill("3600");
    await page.getByLabel("Connection string").fill(servers.mongoUri);
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Collection").fill("visited_sites");
    await page.getByLabel("HTTP address").fill(servers.clickHouseUrl);
    await page.getByLabel("Table").fill("visits_form");

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator('.check-results li[data-ok="true"]').nth(1).waitFor();
    await screenshot(page, "03-form-test-connection");

    await page.getByRole("button", { name: "Create connector" }).click();
    await page.getByRole("heading", { name: /visits_form/ }).waitFor();
    // The first run starts at once; the detail page follows it without a reload.
    await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
    const written = await page.locator('tr[data-status="succeeded"]').first().locator('td[data-label="Written"]').textContent();
    assert.equal(Number(written.replace(/,/g, "")), documentCount);
    assert.equal(await clickHouseCount("visits_form"), documentCount);
    await page.locator("figure.chart .recharts-bar-rectangle").first().waitFor();
    await screenshot(page, "04-connector-detail");
    await page.setViewportSize({ width: 420, height: 860 });
    await screenshot(page, "04-connector-detail-narrow");
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole("link", { name: "Connectors" }).first().click();
    const row = connectorRow(page, "visits_form");
    await row.locator('[data-status="succeeded"]').waitFor();
    assert.equal((await row.getByTestId("rows-written").textContent()).replace(/,/g, ""), String(documentCount));
    await screenshot(page, "05-connectors-list");

    await page.getByRole("link", { name: "Logs" }).click();
    await page.getByLabel("Connector").selectOption({ label: "visits_form" });
    await page.locator(".log-line", { hasText: "visits_form" }).first().waitFor();
    await screenshot(page, "06-logs");
    await page.context().close();
  });

  test("a sync to a bad destination shows the failed run with its message", async () => {
    const closedPort = await freePort();
    const connector = await createConnector("bad_destination", {
      destination: { uri: `http://127.0.0.1:${closedPort}`, database: "default", table: "bad_destination" },
    });
    const page = await newPage();
    await page.goto(zenith.url);
    await connectorRow(page, "bad_destination").locator('[data-status="failed"], [data-status="error"]').waitFor({ timeout: syncTimeout });

    await page.getByRole("link", { name: "bad_destination", exact: true }).click();
    const failedRun = page.locator('tr[data-status="failed"]').first();
    await failedRun.waitFor();
    const shown = (await failedRun.locator(".run-error").textContent()).trim();
    const { body: runs } = await apiCall("GET", `/api/connectors/${connector.id}/runs`);
    assert.ok(shown.length > 0, "the failed run shows an error message");
    assert.equal(shown, runs.find((r) => r.status === "failed").error);
    await screenshot(page, "07-failed-run");

    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator(".check-results li").nth(1).waitFor();
    assert.equal(await page.locator('.check-results li[data-ok="true"]', { hasText: "MongoDB" }).count(), 1);
    assert.equal(await page.locator('.check-results li[data-ok="false"]', { hasText: "ClickHouse" }).count(), 1);
    await page.context().close();
  });

  test("pause and resume", async () => {
    const connector = await createConnector("pause_me");
    const page = await newPage();
    await page.goto(zenith.url);
    const row = connectorRow(page, "pause_me");
    await row.getByRole("button", { name: "Pause pause_me" }).click();
    await row.locator('[data-status="paused"]').waitFor();
    assert.equal((await apiCall("GET", `/api/connectors/${connector.id}`)).body.status, "paused");
    await screenshot(page, "08-paused");

    await row.getByRole("button", { name: "Resume pause_me" }).click();
    await row.getByRole("button", { name: "Pause pause_me" }).waitFor();
    assert.equal((await apiCall("GET", `/api/connectors/${connector.id}`)).body.status, "active");
    await page.context().close();
  });

  test("edit changes the saved connector", async () => {
    const connector = await createConnector("edit_me");
    const page = await newPage();
    await page.goto(zenith.url);
    await connectorRow(page, "edit_me").getByRole("link", { name: "Edit edit_me" }).click();
    const interval = page.getByLabel("Interval (seconds)");
    await interval.waitFor();
    assert.equal(await interval.inputValue(), "3600");

    // The preview samples the collection: nested fields become flattened columns.
    await page.getByRole("button", { name: "Preview mapping" }).click();
    const nested = page.locator("td.mono", { hasText: /^device_browser_name$/ });
    await nested.waitFor();
    assert.match(await nested.locator("xpath=following-sibling::td[1]").textContent(), /String/);
    await screenshot(page, "11-mapping-preview");

    await interval.fill("120");
    await page.getByLabel("Batch size").fill("500");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("every 2 min").waitFor();
    const { body } = await apiCall("GET", `/api/connectors/${connector.id}`);
    assert.equal(body.intervalSeconds, 120);
    assert.equal(body.batchSize, 500);
    await page.context().close();
  });

  test("delete asks for confirmation, then removes the connector", async () => {
    const connector = await createConnector("delete_me");
    const page = await newPage({ width: 420, height: 860 });
    await page.goto(zenith.url);
    await connectorRow(page, "delete_me").getByRole("button", { name: "Delete delete_me" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete delete_me?" });
    await dialog.waitFor();
    await screenshot(page, "09-delete-confirmation-narrow", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete connector" }).click();
    await connectorRow(page, "delete_me").waitFor({ state: "detached" });
    assert.equal((await apiCall("GET", `/api/connectors/${connector.id}`)).status, 404);
    await page.context().close();
  });
});
