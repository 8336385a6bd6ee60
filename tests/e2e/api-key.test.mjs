// A service with an API key: the dashboard asks for it once, says clearly when it is wrong, and
// keeps it for the tab (sessionStorage) so a reload does not ask again.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, screenshot } from "./support/browser.mjs";
import { startZenith } from "./support/processes.mjs";

const apiKey = "e2e-key-0f3a9c";
let zenith;
let browser;

before(async () => {
  zenith = await startZenith({ ZENITH_auth__api_key: apiKey });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await zenith?.stop();
});

test("the dashboard asks for the API key, refuses a wrong one clearly and keeps the right one for the tab", async () => {
  const unauthorised = await fetch(`${zenith.url}/api/connectors`);
  assert.equal(unauthorised.status, 401, "the service really requires the key");

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(zenith.url);
  const dialog = page.getByRole("dialog", { name: "API key required" });
  await dialog.waitFor();

  await dialog.getByLabel("API key").fill("not-the-key");
  await dialog.getByRole("button", { name: "Use this key" }).click();
  await dialog.getByRole("alert").filter({ hasText: "The API key was refused" }).waitFor();
  await screenshot(page, "10-api-key-refused", { fullPage: false });

  await dialog.getByLabel("API key").fill(apiKey);
  await dialog.getByRole("button", { name: "Use this key" }).click();
  await page.getByRole("heading", { name: "No connectors yet" }).waitFor();
  await dialog.waitFor({ state: "detached" });

  await page.reload();
  await page.getByRole("heading", { name: "No connectors yet" }).waitFor();
  assert.equal(await page.getByRole("dialog").count(), 0, "no second prompt after a reload in the same tab");
  await page.context().close();
});
