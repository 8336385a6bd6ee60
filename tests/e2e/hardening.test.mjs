// Issue 14 in the browser: what a web page on another site can do to a keyless Zenith (nothing), what the user sees when an
// edit points a saved password at another server (the form asks for it again), and a database copied without its keys
// ("credentials unreadable — enter the password again", then back to work).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchBrowser, screenshot } from "./support/browser.mjs";
import { newPage, zenithApi } from "./support/dashboard.mjs";
import { freePort, startZenith } from "./support/processes.mjs";

// A site of another name, served from this machine: the browser resolves evil.test to 127.0.0.1.
const evilHost = "evil.test";
let zenith;
let api;
let browser;
let evil;
let evilPort;

/** Ends that answer nothing (nothing listens on port 1): these tests are about what reaches Zenith, not the servers. */
const connector = (name) => ({
  name,
  source: { uri: "mongodb://app:M0ngo-Secr3t@127.0.0.1:1/?serverSelectionTimeoutMS=300&connectTimeoutMS=300", database: "monitoring", collection: "visits" },
  destination: { uri: "http://default:Cl1ck-Secr3t@127.0.0.1:1", database: "analytics", table: name },
  mode: "incremental_id",
  intervalSeconds: 3600,
});

before(async () => {
  zenith = await startZenith();
  api = zenithApi(zenith.url);
  browser = await launchBrowser([`--host-resolver-rules=MAP ${evilHost} 127.0.0.1`]);
  evilPort = await freePort();
  // The attacker's page: a form that posts itself to Zenith, as any site the user opens could.
  evil = createServer((request, response) => {
    const target = new URL(request.url, "http://x").searchParams.get("target");
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(`<!doctype html><title>cute cats</title>
      <form id="f" method="POST" action="${target}" enctype="${request.url.startsWith("/plain") ? "text/plain" : "application/x-www-form-urlencoded"}">
        <input name='{"x":"' value='"}'></form>
      <script>document.getElementById("f").submit();</script>`);
  });
  await new Promise((resolve) => evil.listen(evilPort, "127.0.0.1", resolve));
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (evil ? evil.close(resolve) : resolve()));
  await zenith?.stop();
});

describe("a keyless Zenith and a hostile web page", () => {
  test("a cross-site form post is refused and changes nothing; a rebound host name gets nothing; the dashboard still works", async () => {
    const { body: created } = await api.call("POST", "/api/connectors", connector("cats_target"));
    const page = await newPage(browser);
    try {
      for (const kind of ["form", "plain"]) {
        const target = `${zenith.url}/api/connectors/${created.id}/pause`;
        const answer = page.waitForResponse((r) => r.url() === target);
        // The form submits itself while the page loads: its own load is not waited for.
        await page.goto(`http://${evilHost}:${evilPort}/${kind}?target=${encodeURIComponent(target)}`, { waitUntil: "commit" });
        const response = await answer;
        assert.equal(response.status(), 403, `the ${kind} post is refused`);
        assert.match(await response.text(), /another site/);
        assert.equal((await api.call("GET", `/api/connectors/${created.id}`)).body.status, "active", `the ${kind} post paused nothing`);
      }

      // A script on that page cannot send JSON across sites either: the preflight finds no CORS, so the post never leaves.
      await page.goto(`http://${evilHost}:${evilPort}/form?target=about:blank`);
      const outcome = await page.evaluate(async (url) => {
        try {
          const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
          return `status ${r.status}`;
        } catch {
          return "blocked";
        }
      }, `${zenith.url}/api/connectors/${created.id}/pause`);
      assert.equal(outcome, "blocked");
      assert.equal((await api.call("GET", `/api/connectors/${created.id}`)).body.status, "active");

      // DNS rebinding: evil.test now resolves to Zenith's own address and port. The page is "same-origin", and answered nothing.
      const rebound = await page.goto(`http://${evilHost}:${new URL(zenith.url).port}/api/connectors`);
      assert.equal(rebound.status(), 403);
      assert.match(await rebound.text(), /loopback name/);
      assert.doesNotMatch(await rebound.text(), /cats_target/);
      const fromPage = await page.evaluate(async () => (await fetch("/api/connectors/1/pause", { method: "POST", headers: { "Content-Type": "application/json" } })).status);
      assert.equal(fromPage, 403);
      await screenshot(page, "20-rebound-host-refused", { fullPage: false });

      // The dashboard Zenith serves itself keeps working: same origin, JSON.
      await page.goto(zenith.url);
      const row = page.locator('tr[data-connector="cats_target"]');
      await row.getByRole("button", { name: "Pause cats_target" }).click();
      await row.locator('[data-status="paused"]').waitFor();
      assert.equal((await api.call("GET", `/api/connectors/${created.id}`)).body.status, "paused");
    } finally {
      await page.context().close();
      await api.call("DELETE", `/api/connectors/${created.id}`);
    }
  });
});

describe("saved passwords in the form", () => {
  test("an edit that points a masked password at another server asks for it again, and nothing is saved until it is typed", async () => {
    const { body: created } = await api.call("POST", "/api/connectors", connector("moved_host"));
    const page = await newPage(browser);
    try {
      await page.goto(`${zenith.url}/connectors/${created.id}/edit`);
      const address = page.getByLabel("HTTP address");
      await address.fill("http://default:***@127.0.0.2:1");
      const password = page.locator("#field-destination-password");
      await page.locator("#field-destination-password-prompt").filter({ hasText: "type the password again" }).waitFor();
      await screenshot(page, "21-password-asked-again");

      // Saved anyway: the service refuses, the refusal is shown at the password, and the connector is as it was.
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.locator("#field-destination-password-error").filter({ hasText: "type the password again" }).waitFor();
      assert.equal(await password.getAttribute("aria-invalid"), "true");
      assert.equal((await api.call("GET", `/api/connectors/${created.id}`)).body.destination.uri, "http://default:***@127.0.0.1:1");

      await password.fill("N3w-pa55word");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${zenith.url}/connectors/${created.id}`);
      assert.equal((await api.call("GET", `/api/connectors/${created.id}`)).body.destination.uri, "http://default:***@127.0.0.2:1");
    } finally {
      await page.context().close();
      await api.call("DELETE", `/api/connectors/${created.id}`);
    }
  });

  test("a database copied without its keys shows 'credentials unreadable' and works again once the passwords are typed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "zenith-e2e-keys-"));
    let restored;
    const page = await newPage(browser);
    try {
      const first = await startZenith({}, { dataDir });
      const { body: created } = await zenithApi(first.url).call("POST", "/api/connectors", connector("lost_keys"));
      await first.stop();
      rmSync(join(dataDir, "keys"), { recursive: true, force: true });

      // The restored service reports the state (so /health/ready is not green): it is up when it answers at all.
      restored = await startZenith({}, { dataDir, waitFor: "/health/live" });
      const restoredApi = zenithApi(restored.url);
      const deadline = Date.now() + 60_000;
      while (!(await restoredApi.call("GET", `/api/connectors/${created.id}`)).body.credentialsUnreadable) {
        assert.ok(Date.now() < deadline, "the start-up run should find the credentials unreadable");
        await new Promise((r) => setTimeout(r, 200));
      }

      await page.goto(restored.url);
      await page.locator('tr[data-connector="lost_keys"]').getByText("Credentials unreadable").waitFor();
      await page.getByRole("link", { name: "lost_keys", exact: true }).click();
      const alert = page.getByRole("alert").filter({ hasText: "Credentials unreadable — enter the password again." });
      await alert.waitFor();
      await screenshot(page, "22-credentials-unreadable");

      await alert.getByRole("link", { name: "Enter the password again" }).click();
      for (const id of ["#field-source-password-prompt", "#field-destination-password-prompt"]) {
        await page.locator(id).filter({ hasText: "cannot be decrypted" }).waitFor();
      }
      await page.locator("#field-source-password").fill("M0ngo-Secr3t");
      await page.locator("#field-destination-password").fill("Cl1ck-Secr3t");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${restored.url}/connectors/${created.id}`);
      assert.equal(await page.getByRole("alert").filter({ hasText: "Credentials unreadable" }).count(), 0);
      assert.equal((await restoredApi.call("GET", `/api/connectors/${created.id}`)).body.credentialsUnreadable, false);
    } finally {
      await page.context().close();
      await restored?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
