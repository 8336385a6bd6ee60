// /docs: our API only, rendered from this machine alone (nothing fetched from elsewhere), saying how
// this service is secured, with curl examples that use the address the page was opened at.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, screenshot } from "./support/browser.mjs";
import { startZenith } from "./support/processes.mjs";

let open;
let keyed;
let browser;

before(async () => {
  [open, keyed] = await Promise.all([startZenith(), startZenith({ ZENITH_auth__api_key: "e2e-docs-key-7d21" })]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await Promise.all([open?.stop(), keyed?.stop()]);
});

/** Opens /docs with every request off this machine refused (as offline), and says which were tried. */
async function openDocs(zenith) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const elsewhere = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    elsewhere.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto(`${zenith.url}/docs`, { waitUntil: "networkidle" });
  await page.getByText("/api/connectors/{id}/schema").first().waitFor();
  return { page, elsewhere };
}

test("without an API key /docs says none is needed, shows no security scheme, and works offline", async () => {
  const { page, elsewhere } = await openDocs(open);
  try {
    assert.deepEqual(elsewhere, [], "nothing is fetched from another host (fonts, scripts, telemetry)");
    const text = await page.locator("body").innerText();
    assert.match(text, /This service has no API key configured/);
    assert.doesNotMatch(text, /Auth Required|Bearer|Ask AI/);
    assert.ok(text.includes(`curl ${open.url}/api/connectors`), `a curl example with the real host:\n${text.slice(0, 4000)}`);
    await screenshot(page, "18-api-docs", { fullPage: false });
  } finally {
    await page.context().close();
  }
});

test("with an API key /docs shows the bearer scheme and the curl examples send it", async () => {
  const { page, elsewhere } = await openDocs(keyed);
  try {
    assert.deepEqual(elsewhere, []);
    const text = await page.locator("body").innerText();
    assert.match(text, /This service has an API key: send it with every \/api request as Authorization: Bearer <key>/);
    assert.match(text, new RegExp(`curl ${keyed.url.replace(/[.]/g, "\\.")}/api/connectors \\\\\\s+--header 'Authorization: Bearer`));
    assert.doesNotMatch(text, /Ask AI/);
  } finally {
    await page.context().close();
  }
});
