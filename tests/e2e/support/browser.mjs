// Debian's chromium driven by playwright-core (no browser download here); screenshots go to
// test-results/e2e/ at the repository root.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { repoRoot } from "./processes.mjs";

export const screenshotDir = process.env.ZENITH_E2E_SCREENSHOTS ?? join(repoRoot, "test-results", "e2e");

/** `extraArgs`: more Chromium flags, e.g. `--host-resolver-rules=MAP evil.test 127.0.0.1` for a site of another name. */
export async function launchBrowser(extraArgs = []) {
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.ZENITH_E2E_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

/** Saves a screenshot; the whole page unless a modal is open (a fixed overlay only covers the viewport). */
export async function screenshot(page, name, { fullPage = true } = {}) {
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
