// The dashboard in headless Chromium against the real Zenith process, the MongoDB wire-protocol
// test server and the chdb-based ClickHouse test server: what a user does, checked as a user would.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { MongoClient, ObjectId } from "mongodb";
import { launchBrowser, screenshot } from "./support/browser.mjs";
import { assertKeepsWidth, midWordBreaks, newPage, zenithApi } from "./support/dashboard.mjs";
import { freePort, startTestServers, startZenith } from "./support/processes.mjs";

// Generous bounds for a shared 2-core machine: the conditions are awaited, never slept for.
const syncTimeout = 120_000;

let servers;
let zenith;
let api;
let browser;
let mongo;
const database = `e2e_${Date.now()}`;
const documentCount = 1234;

/** Realistic visits, as the monitoring product of the PRD stores them: recorded in 2023, one a second (older than any settle window). */
const visits = (count, from = 0) =>
  Array.from({ length: count }, (_, n) => {
    const i = from + n;
    return {
      _id: new ObjectId((0x65000000 + i).toString(16).padStart(8, "0") + "a1b2c3d4e5000000"),
      site: `site-${i % 17}`,
      organization_id: i % 5,
      device: { type: i % 2 === 0 ? "mobile" : "desktop", browser: { name: "Firefox", version: 140 } },
      updated_at: new Date(Date.UTC(2026, 10, 1) + i * 60_000),
    };
  });

before(async () => {
  servers = await startTestServers();
  zenith = await startZenith();
  api = zenithApi(zenith.url);
  mongo = new MongoClient(servers.mongoUri);
  await mongo.db(database).collection("visited_sites").insertMany(visits(documentCount));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await mongo?.close();
  await zenith?.stop();
  await servers?.stop();
});

const openPage = (options) => newPage(browser, options);

/** A connector made through the API, for tests about what happens to one that exists. */
async function createConnector(name, overrides = {}) {
  const { status, body } = await api.call("POST", "/api/connectors", {
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
/** A box of the detail page's summary, by its label. */
const summaryValue = (page, label) => page.locator(".summary > div", { has: page.locator("dt", { hasText: label }) }).locator("dd");

describe("the dashboard", () => {
  test("a new user sees what to do, and a validation error from the API is shown beside its field", async () => {
    // An empty list needs a service of its own: the other tests' connectors are in the shared one.
    const fresh = await startZenith();
    const page = await openPage();
    try {
      await page.goto(fresh.url);
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
      assert.deepEqual((await zenithApi(fresh.url).call("GET", "/api/connectors")).body, []);
      await screenshot(page, "02-validation-error");
    } finally {
      await page.context().close();
      await fresh.stop();
    }
  });

  test("a name with other characters than letters, digits and underscores is refused beside the field", async () => {
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/new`);
    const name = page.getByLabel("Name");
    await name.fill("my connector!");
    await page.getByLabel("Collection").fill("visited_sites");
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Table").fill("my_connector");
    await page.getByRole("button", { name: "Create connector" }).click();

    const error = page.locator("#field-name-error");
    await error.waitFor();
    assert.match(await error.textContent(), /letters .*digits and underscores/);
    assert.equal(await name.getAttribute("aria-invalid"), "true");
    assert.ok(await name.evaluate((input) => input === document.activeElement), "the refused field has the focus");
    assert.ok(!(await api.call("GET", "/api/connectors")).body.some((c) => c.name.startsWith("my connector")), "nothing was sent");

    await name.fill("my_connector");
    await error.waitFor({ state: "detached" });
    await page.context().close();
  });

  test("a connector created through the form syncs every document of the collection", async () => {
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/new`);
    await page.getByLabel("Name").fill("visits_form");
    await page.getByLabel("Interval (seconds)").fill("3600");
    await page.getByLabel("Connection string").fill(servers.mongoUri);
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Collection").fill("visited_sites");
    await page.getByLabel("HTTP address").fill(servers.clickHouseUrl);
    await page.getByLabel("Table").fill("visits_form");

    // The checks come before saving, in the order a user makes them.
    const checks = ["Test connection", "Preview mapping", "Create connector"];
    const boxes = await Promise.all(checks.map((name) => page.getByRole("button", { name }).boundingBox()));
    assert.ok(boxes[0].y < boxes[1].y && boxes[1].y < boxes[2].y, `test → preview → create, top to bottom: ${JSON.stringify(boxes)}`);
    // An unsaved connector is previewed as typed: each column with its kind, the overflow column last before the metadata.
    await page.getByRole("button", { name: "Preview mapping" }).click();
    const overflow = page.locator("td.mono", { hasText: /^_zenith_extra$/ });
    await overflow.waitFor({ timeout: syncTimeout });
    assert.equal(await overflow.locator("xpath=following-sibling::td[2]").textContent(), "overflow");

    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator('.check-results li[data-ok="true"]').nth(1).waitFor();
    // The preview samples the collection as typed, before anything is saved.
    await page.getByRole("button", { name: "Preview mapping" }).click();
    const nested = page.locator("td.mono", { hasText: /^device_browser_name$/ });
    await nested.waitFor();
    assert.match(await nested.locator("xpath=following-sibling::td[1]").textContent(), /String/);
    assert.ok(!(await api.call("GET", "/api/connectors")).body.some((c) => c.name === "visits_form"), "nothing saved by the preview");
    await screenshot(page, "03-form-test-connection");

    await page.getByRole("button", { name: "Create connector" }).click();
    await page.getByRole("heading", { name: /visits_form/ }).waitFor();
    // The first run starts at once; the detail page follows it without a reload.
    await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
    const written = await page.locator('tr[data-status="succeeded"]').first().locator('td[data-label="Written"]').textContent();
    assert.equal(Number(written.replace(/,/g, "")), documentCount);
    assert.equal(await clickHouseCount("visits_form"), documentCount);
    await page.locator('figure.chart .run-bar[data-status="succeeded"]').first().waitFor();
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
    await page.getByRole("heading", { name: "Logs" }).waitFor();
    await page.getByLabel("Connector", { exact: true }).selectOption({ label: "visits_form" });
    await page.locator(".log-line", { hasText: "visits_form" }).first().waitFor();
    await screenshot(page, "06-logs");
    await page.context().close();
  });

  test("a sync to a bad destination shows the failed run with its message", async () => {
    const closedPort = await freePort();
    const connector = await createConnector("bad_destination", {
      destination: { uri: `http://127.0.0.1:${closedPort}`, database: "default", table: "bad_destination" },
    });
    const page = await openPage();
    await page.goto(zenith.url);
    await connectorRow(page, "bad_destination").locator('[data-status="failed"], [data-status="error"]').waitFor({ timeout: syncTimeout });

    await page.getByRole("link", { name: "bad_destination", exact: true }).click();
    const failedRun = page.locator('tr[data-status="failed"]').first();
    await failedRun.waitFor();
    const shown = (await failedRun.locator(".run-error .message-line").textContent()).trim();
    const { body: runs } = await api.call("GET", `/api/connectors/${connector.id}/runs`);
    const error = runs.find((r) => r.status === "failed").error;
    assert.ok(shown.length > 0 && shown.length <= 120, `one short line: ${shown}`);
    assert.ok(error.startsWith(shown.replace(/…$/, "")), `the line is the start of the run's error: ${shown} / ${error}`);

    // The chart marks the failed run: its colour, a tinted slot, the legend, and the tooltip says why.
    const bar = page.locator('figure.chart .run-bar[data-status="failed"]').first();
    await bar.waitFor();
    assert.ok((await page.locator("figure.chart .run-failed-band").count()) >= 1);
    assert.equal(await bar.getAttribute("fill"), "#c23a3a");
    await page.locator(".chart-legend-item", { hasText: "Failed" }).waitFor();
    await bar.hover({ force: true });
    const tooltip = page.locator('.chart-tooltip[data-status="failed"]');
    await tooltip.waitFor();
    assert.match(await tooltip.textContent(), /Failed/);
    assert.ok((await tooltip.locator(".chart-tooltip-error").textContent()).startsWith(shown.replace(/…$/, "")));
    // The chart and the table write the run's start the same way.
    const started = (await failedRun.locator('td[data-label="Started"]').textContent()).trim();
    assert.ok((await tooltip.textContent()).includes(started), `"${started}" in the tooltip: ${await tooltip.textContent()}`);
    const ticks = await page.locator("figure.chart .recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value").allTextContents();
    assert.ok(ticks.includes(started), `"${started}" among the chart's times: ${ticks.join(" | ")}`);
    await screenshot(page, "07-failed-run");

    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.locator(".check-results li").nth(1).waitFor();
    assert.equal(await page.locator('.check-results li[data-ok="true"]', { hasText: "MongoDB" }).count(), 1);
    assert.equal(await page.locator('.check-results li[data-ok="false"]', { hasText: "ClickHouse" }).count(), 1);
    await page.context().close();
  });

  test("create paused: the connector is saved paused, nothing syncs until it is resumed", async () => {
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/new`);
    await page.getByLabel("Name").fill("review_first");
    await page.getByLabel("Connection string").fill(servers.mongoUri);
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Collection").fill("visited_sites");
    await page.getByLabel("HTTP address").fill(servers.clickHouseUrl);
    await page.getByLabel("Table").fill("review_first");
    await page.getByRole("checkbox", { name: /Create paused/ }).check();
    await page.getByRole("button", { name: "Create connector" }).click();
    await page.getByRole("heading", { name: /review_first/ }).waitFor();
    await page.locator("h1 .badge", { hasText: "Paused" }).waitFor();
    await page.getByText("No runs yet.").waitFor();
    const { body } = await api.call("GET", "/api/connectors");
    const created = body.find((c) => c.name === "review_first");
    assert.equal(created.status, "paused");
    assert.equal(created.lastResult, null, "nothing ran");

    await page.getByRole("button", { name: "Resume" }).click();
    await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
    assert.equal(await clickHouseCount("review_first"), documentCount);
    await page.context().close();
  });

  test("the schema tab shows the ClickHouse table's columns and types as they are, and where each comes from", async () => {
    const connector = await createConnector("schema_tab");
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
    await page.getByRole("tab", { name: "Schema" }).click();
    const table = page.getByRole("table", { name: "Columns of default.schema_tab" });
    await table.waitFor();
    const shown = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)));
    const query = "SELECT name, type FROM system.columns WHERE database = 'default' AND table = 'schema_tab' ORDER BY position FORMAT JSONCompact";
    const response = await fetch(`${servers.clickHouseUrl}/?query=${encodeURIComponent(query)}`);
    const { data } = await response.json();
    assert.deepEqual(shown.map(([name, type]) => [name, type]), data, "the columns and types ClickHouse has, in its order");
    assert.deepEqual(shown.find(([name]) => name === "device_browser_name"), ["device_browser_name", shown.find(([n]) => n === "device_browser_name")[1], "device.browser.name"]);
    assert.equal(shown.find(([name]) => name === "_zenith_synced_at")[2], "—", "Zenith's own columns come from no document path");
    await screenshot(page, "17-schema-tab");
    await page.getByRole("tab", { name: "Runs and log" }).click();
    await page.locator('tr[data-status="succeeded"]').first().waitFor();
    await page.context().close();
  });

  test("pause and resume", async () => {
    const connector = await createConnector("pause_me");
    const page = await openPage();
    await page.goto(zenith.url);
    const row = connectorRow(page, "pause_me");
    await row.getByRole("button", { name: "Pause pause_me" }).click();
    await row.locator('[data-status="paused"]').waitFor();
    assert.equal((await api.call("GET", `/api/connectors/${connector.id}`)).body.status, "paused");
    await screenshot(page, "08-paused");

    await row.getByRole("button", { name: "Resume pause_me" }).click();
    await row.getByRole("button", { name: "Pause pause_me" }).waitFor();
    assert.equal((await api.call("GET", `/api/connectors/${connector.id}`)).body.status, "active");
    await page.context().close();
  });

  test("edit changes the saved connector", async () => {
    const connector = await createConnector("edit_me");
    const page = await openPage();
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

    // The mapping editor's rules are previewed before saving: an excluded path has no column.
    await page.getByText(/^Advanced/).click();
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Rule 1 path").fill("device.browser.name");
    await page.getByRole("button", { name: "Preview mapping" }).click();
    await nested.waitFor({ state: "detached", timeout: syncTimeout });
    await screenshot(page, "11b-mapping-rules");
    await page.getByRole("button", { name: "Remove rule 1" }).click();

    await interval.fill("120");
    await page.getByLabel("Batch size").fill("500");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("every 2 min").waitFor();
    const { body } = await api.call("GET", `/api/connectors/${connector.id}`);
    assert.equal(body.intervalSeconds, 120);
    assert.equal(body.batchSize, 500);
    await page.context().close();
  });

  test("reset and resync are confirmed first, then do what they say", async () => {
    const connector = await createConnector("reset_me");
    await api.finishedRuns(connector.id, 1, syncTimeout);
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    const checkpoint = summaryValue(page, "Checkpoint");
    await checkpoint.filter({ hasText: "_id >" }).waitFor();

    await page.getByRole("button", { name: "Reset checkpoint" }).click();
    const reset = page.getByRole("dialog", { name: "Reset the checkpoint of reset_me?" });
    await reset.waitFor();
    await screenshot(page, "14-reset-confirmation", { fullPage: false });
    await reset.getByRole("button", { name: "Reset checkpoint" }).click();
    await page.locator(".alert-ok", { hasText: "reset_me: checkpoint reset; the next run starts from the beginning." }).waitFor();
    await checkpoint.filter({ hasText: "none yet" }).waitFor();

    await page.getByRole("button", { name: "Resync", exact: true }).click();
    await page.getByRole("dialog", { name: "Resync reset_me?" }).getByRole("button", { name: "Resync", exact: true }).click();
    await page.locator('tr[data-status="succeeded"]', { has: page.locator('td[data-label="Trigger"]', { hasText: "resync" }) }).waitFor({ timeout: syncTimeout });
    await checkpoint.filter({ hasText: "_id >" }).waitFor();
    assert.equal(await clickHouseCount("reset_me"), documentCount);
    await page.context().close();
  });

  test("delete asks for confirmation, then removes the connector", async () => {
    const connector = await createConnector("delete_me");
    const page = await openPage({ viewport: { width: 420, height: 860 } });
    await page.goto(zenith.url);
    await connectorRow(page, "delete_me").getByRole("button", { name: "Delete delete_me" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete delete_me?" });
    await dialog.waitFor();
    await screenshot(page, "09-delete-confirmation-narrow", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete connector" }).click();
    await connectorRow(page, "delete_me").waitFor({ state: "detached" });
    assert.equal((await api.call("GET", `/api/connectors/${connector.id}`)).status, 404);
    await page.context().close();
  });

  test("deleting from its page says so on the list, and the deleted connector's address says it is gone", async () => {
    const connector = await createConnector("delete_from_page");
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("dialog", { name: "Delete delete_from_page?" }).getByRole("button", { name: "Delete connector" }).click();

    await page.getByRole("heading", { name: "Connectors", exact: true }).waitFor();
    await page.locator(".alert-ok", { hasText: "delete_from_page deleted. Its ClickHouse table stays where it is." }).waitFor();
    assert.equal(await connectorRow(page, "delete_from_page").count(), 0);
    // Said once: a reload does not repeat it.
    await page.reload();
    await page.getByRole("heading", { name: "Connectors", exact: true }).waitFor();
    assert.equal(await page.locator(".alert-ok").count(), 0);

    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.getByRole("heading", { name: "Connector not found" }).waitFor();
    const text = await page.locator("main").textContent();
    assert.match(text, new RegExp(`There is no connector with id ${connector.id}\\. It may have been deleted\\.`));
    assert.doesNotMatch(text, /GET \/api|\.:/, "no API instructions, no doubled punctuation");
    await screenshot(page, "12-connector-not-found");
    await page.getByRole("link", { name: "Back to the connectors" }).click();
    await page.getByRole("heading", { name: "Connectors", exact: true }).waitFor();

    await page.goto(`${zenith.url}/connectors/abc/edit`);
    await page.getByRole("heading", { name: "Connector not found" }).waitFor();
    await page.context().close();
  });

  test("Verify on the connector page shows a clean table, then the row removed from ClickHouse by hand", async () => {
    await mongo.db(database).collection("verify_visits").insertMany(visits(600));
    const connector = await createConnector("verify_visits", { source: { uri: servers.mongoUri, database, collection: "verify_visits" } });
    await api.finishedRuns(connector.id, 1, syncTimeout);

    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    const result = page.getByTestId("verification-result");
    await page.locator('[data-testid="verification-result"][data-clean="true"]').waitFor({ timeout: syncTimeout });
    assert.match(await result.textContent(), /The table equals the collection\. 600 documents, 600 rows, 600 sampled/);
    await screenshot(page, "14-verification-clean");

    const query = async (sql) => {
      const response = await fetch(`${servers.clickHouseUrl}/`, { method: "POST", body: sql });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.text()).trim();
    };
    const removed = await query("SELECT _id FROM default.verify_visits ORDER BY _id LIMIT 1 OFFSET 300");
    await query(`ALTER TABLE default.verify_visits DELETE WHERE _id = '${removed}' SETTINGS mutations_sync = 2`);
    await page.getByRole("button", { name: "Verify", exact: true }).click();
    await page.locator('[data-testid="verification-result"][data-clean="false"]').waitFor({ timeout: syncTimeout });
    assert.match(await result.textContent(), /The table differs from the collection\. 600 documents, 599 rows/);
    assert.equal(await page.getByTestId("count-Missing rows").textContent(), "1");
    assert.match(await result.locator('[data-kind="Missing rows"]').textContent(), new RegExp(removed));
    // The history lists both, newest first.
    const history = page.getByRole("table", { name: "Verification history" }).locator("tbody tr");
    assert.deepEqual(await history.evaluateAll((rows) => rows.map((r) => r.dataset.clean)), ["false", "true"]);
    await screenshot(page, "15-verification-differences");
    await page.context().close();
  });

  test("a small incremental run stays visible on the chart beside the first load", async () => {
    const collection = mongo.db(database).collection("chart_visits");
    await collection.insertMany(visits(5000));
    const connector = await createConnector("chart_runs", { source: { uri: servers.mongoUri, database, collection: "chart_visits" } });
    await api.finishedRuns(connector.id, 1, syncTimeout);
    await collection.insertMany(visits(20, 5000));

    const page = await openPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.getByRole("button", { name: "Sync now" }).click();
    await page.locator('tr[data-status="succeeded"]').nth(1).waitFor({ timeout: syncTimeout });
    const written = await page.locator('tr[data-status="succeeded"] td[data-label="Written"]').allTextContents();
    assert.deepEqual(written, ["20", "5,000"], "newest first: the incremental run, then the first load");

    const bars = page.locator('figure.chart .run-bar[data-status="succeeded"]');
    await bars.nth(1).waitFor();
    const [first, incremental] = await Promise.all([bars.nth(0).boundingBox(), bars.nth(1).boundingBox()]);
    // On a linear axis its rate beside the first load's would be about a pixel tall.
    assert.ok(incremental.height >= 8, `the incremental run's bar is ${incremental.height} px tall`);
    assert.ok(first.height > incremental.height, "the first load is the faster run and the taller bar");
    const rates = await page.locator('tr[data-status="succeeded"] td[data-label="Rows/s"]').allTextContents();
    assert.ok(rates.every((r) => /^[\d,.]+$/.test(r) && Number(r.replace(/,/g, "")) > 0), `rows/s of both runs: ${rates}`);
    await screenshot(page, "13-chart-incremental-runs");
    await page.context().close();
  });

  test("a live connector made in the form copies the collection, then shows its lag and applies a delete within seconds", async () => {
    await mongo.db(database).collection("live_sites").insertMany(visits(40, 5000));
    const page = await openPage();
    await page.goto(`${zenith.url}/connectors/new`);
    await page.getByLabel("Name").fill("live_sites");
    await page.getByLabel("Mode").selectOption("change_stream");
    assert.equal(await page.getByLabel("Interval (seconds)").count(), 0, "a stream has no interval");
    await page.getByLabel("When the position falls off the oplog").selectOption("resync");
    await page.getByLabel("Connection string").fill(servers.mongoUri);
    await page.getByLabel("Database").first().fill(database);
    await page.getByLabel("Collection").fill("live_sites");
    await page.getByLabel("HTTP address").fill(servers.clickHouseUrl);
    await page.getByLabel("Table").fill("live_sites");
    await page.getByRole("button", { name: "Create connector" }).click();
    await page.getByRole("heading", { name: /live_sites/ }).waitFor();

    // Loaded, then streaming: the page follows it live, without a reload.
    await page.getByTestId("stream-lag").filter({ hasText: "caught up" }).waitFor({ timeout: syncTimeout });
    assert.match(await summaryValue(page, "Mode").textContent(), /Live \(change stream\), continuous; resyncs/);
    assert.equal(await clickHouseCount("live_sites"), 40);
    await mongo.db(database).collection("live_sites").deleteOne({ site: "site-2" });
    const deadline = Date.now() + syncTimeout;
    while ((await clickHouseCount("live_sites")) !== 39) {
      assert.ok(Date.now() < deadline, "the delete never reached ClickHouse");
      await page.waitForTimeout(100);
    }
    await page.getByTestId("stream-lag").filter({ hasText: /rows\/s/ }).waitFor();
    await screenshot(page, "16-live-connector");

    await page.getByRole("link", { name: "Connectors" }).first().click();
    await connectorRow(page, "live_sites").getByTestId("stream-lag").filter({ hasText: "behind" }).waitFor();
    await page.context().close();
    const paused = await api.call("POST", `/api/connectors/${(await api.call("GET", "/api/connectors")).body.find((c) => c.name === "live_sites").id}/pause`);
    assert.equal(paused.status, 200);
  });

  test("a running first load shows a progress bar that moves, then the rows in ClickHouse and their freshness", async () => {
    // The cursor brings 10,000 documents a batch; the server holds each getMore, so the load goes in visible steps.
    const total = 32_000;
    const collection = mongo.db(database).collection("progress_visits");
    await collection.insertMany(visits(total));
    const appName = `e2e_progress_${Date.now()}`;
    const admin = mongo.db("admin");
    await admin.command({
      configureFailPoint: "failCommand",
      mode: "alwaysOn",
      data: { failCommands: ["getMore"], blockConnection: true, blockTimeMS: 2500, appName },
    });
    const page = await openPage();
    try {
      const connector = await createConnector("progress", {
        source: { uri: `${servers.mongoUri}${servers.mongoUri.includes("?") ? "&" : "?"}appName=${appName}`, database, collection: "progress_visits" },
        batchSize: 1000,
      });
      await page.goto(`${zenith.url}/connectors/${connector.id}`);
      const bar = page.getByRole("progressbar", { name: /^Run \d+ progress$/ });
      await bar.waitFor({ timeout: syncTimeout });
      const first = Number(await bar.getAttribute("aria-valuenow"));
      assert.ok(first >= 0 && first < 100, `a first load under way: ${first}%`);
      const numbers = page.getByTestId("run-progress").locator(".run-progress-numbers");
      assert.match(await numbers.textContent(), new RegExp(`of ~${total.toLocaleString("en")} read`));
      // It moves: a later poll shows more read, and the bar grows (its width eases to the new value).
      const firstWidth = (await bar.locator(".progress-bar").boundingBox()).width;
      await page.waitForFunction(
        ([before, beforeWidth]) => {
          const shown = document.querySelector('[role="progressbar"]');
          return shown !== null && Number(shown.getAttribute("aria-valuenow")) > before && shown.querySelector(".progress-bar").getBoundingClientRect().width > beforeWidth;
        },
        [first, firstWidth],
        { timeout: syncTimeout },
      );
      assert.match(await numbers.textContent(), /rows\/s/);
      await screenshot(page, "16-run-progress");

      await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
      await bar.waitFor({ state: "detached" });
      assert.equal(await clickHouseCount("progress"), total);
      // The table is counted behind the API's answers: a later poll brings the count.
      const rows = summaryValue(page, "Rows in ClickHouse");
      await page.waitForFunction((expected) => document.querySelector('[data-testid="table-rows"]')?.textContent === expected, total.toLocaleString("en"), { timeout: syncTimeout });
      assert.equal(await rows.textContent(), total.toLocaleString("en"));
      // Freshness is the source's time, not the sync's: the newest document's _id was made in 2023 (visits() is older than any settle window).
      assert.match(await summaryValue(page, "Newest change synced").textContent(), /^\d+ years? ago$/);

      await page.getByRole("link", { name: "Connectors" }).first().click();
      const listed = connectorRow(page, "progress").locator('td[data-label="Rows in ClickHouse"]');
      await listed.getByTestId("table-rows").waitFor();
      // The list says the same freshness: the source's time (2023), not the sync's.
      assert.match(await listed.textContent(), new RegExp(`^${total.toLocaleString("en")}newest \\d+ years? ago$`));
    } finally {
      await admin.command({ configureFailPoint: "failCommand", mode: "off" });
      await page.context().close();
    }
  });

  test("the time since the last sync is never in the future, even with the browser's clock behind the server's", async () => {
    const connector = await createConnector("clock_skew");
    const page = await openPage({ clockBehindMs: 30_000 });
    await page.goto(`${zenith.url}/connectors/${connector.id}`);
    await page.locator('tr[data-status="succeeded"]').first().waitFor({ timeout: syncTimeout });
    const detail = summaryValue(page, "Last successful sync");
    await detail.locator("time").waitFor();
    assert.match(await detail.textContent(), /^(just now|\d+ seconds ago)$/);

    await page.getByRole("link", { name: "Connectors" }).first().click();
    const listed = connectorRow(page, "clock_skew").locator('td[data-label="Last successful sync"]');
    await listed.locator("time").waitFor();
    assert.match(await listed.textContent(), /^(just now|\d+ seconds ago)$/);
    await page.context().close();
  });
});

describe("long texts", () => {
  // A mistyped host: the driver's answer is ~2,000 characters (its whole server-selection state).
  const mistypedUri =
    "mongodb://mongo-typo.invalid:27017,mongo-typo-b.invalid:27017,mongo-typo-c.invalid:27017/?authSource=admin&replicaSet=rs0&readPreference=nearest";

  test("a mistyped host is one short line everywhere, the drivers' text behind Details, and the page keeps its width", async () => {
    const connector = await createConnector("mistyped_host", { source: { uri: mistypedUri, database, collection: "visited_sites" } });
    const page = await openPage({ viewport: { width: 1366, height: 900 } });

    await page.goto(zenith.url);
    const row = connectorRow(page, "mistyped_host");
    const badge = row.locator('[data-status="failed"], [data-status="error"]');
    await badge.waitFor({ timeout: syncTimeout });
    const { body: runs } = await api.call("GET", `/api/connectors/${connector.id}/runs`);
    const { error, errorDetail } = runs.find((r) => r.status === "failed");
    assert.equal(error, "MongoDB hosts mongo-typo.invalid, mongo-typo-b.invalid, mongo-typo-c.invalid not found (DNS lookup failed)");
    assert.ok(errorDetail.length > 1000, `the driver's text is kept apart, whole (${errorDetail.length} characters)`);
    const tooltip = await badge.getAttribute("title");
    assert.equal(tooltip, error, "the badge's tooltip is the one short line");
    await assertKeepsWidth(page, "the list");
    // The row's buttons stay on one line.
    const buttons = await row.locator(".row-actions > *").evaluateAll((elements) => elements.map((e) => e.getBoundingClientRect().top));
    assert.equal(buttons.length, 4);
    assert.ok(buttons.every((top) => Math.abs(top - buttons[0]) < 1), `the buttons' tops: ${buttons}`);

    await page.getByRole("link", { name: "mistyped_host", exact: true }).click();
    const failedRun = page.locator('tr[data-status="failed"]').first();
    await failedRun.waitFor();
    const line = failedRun.locator(".run-error .message-line");
    assert.equal(await line.textContent(), error, "the run's error is its one short line");
    const details = failedRun.locator(".run-error details");
    assert.equal(await details.locator("pre").isVisible(), false, "the full text waits behind Details");
    const logLine = page.locator('.log-line[data-level="error"]').first();
    assert.ok((await logLine.locator(".message-line").textContent()).length <= 120, "the log line is short too");
    await assertKeepsWidth(page, "the failing connector's page");

    await details.locator("summary").click();
    assert.match(await details.locator("pre").textContent(), /Name or service not known/);
    await assertKeepsWidth(page, "the failing connector's page with the details open");
    // The URI wraps between hosts and options, not inside a host name.
    assert.deepEqual(await midWordBreaks(summaryValue(page, "Source")), []);
    await screenshot(page, "14-long-error");

    // The connection test and the preview say the same in one line each, with the details behind.
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("button", { name: "Preview mapping" }).click();
    const source = page.locator('.check-results li[data-ok="false"]', { hasText: "MongoDB" });
    await source.waitFor({ timeout: syncTimeout });
    assert.ok((await source.locator(".message-line").textContent()).length <= 120);
    await source.locator("details summary").waitFor();
    const previewError = page.locator(".check .alert-error");
    await previewError.waitFor({ timeout: syncTimeout });
    assert.match(await previewError.locator(".message-line").textContent(), /^Could not sample the collection\. MongoDB hosts mongo-typo\.invalid/);
    await previewError.locator("details summary").click();
    await assertKeepsWidth(page, "the form with both checks failed");
    await screenshot(page, "15-long-error-checks");

    await page.getByRole("link", { name: "Logs" }).click();
    await page.locator('.log-line[data-level="error"]', { hasText: "mistyped_host" }).first().waitFor();
    await assertKeepsWidth(page, "the log");
    await page.context().close();
  });
});

