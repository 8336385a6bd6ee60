// What the browser tests do to the service and read from the page, beside what the user does.
import assert from "node:assert/strict";

/** The API of one Zenith process, as scripts call it. */
export function zenithApi(zenithUrl) {
  async function call(method, path, body) {
    // A keyless service takes changes only as JSON, with or without a body.
    const response = await fetch(`${zenithUrl}${path}`, {
      method,
      headers: method === "GET" ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === "" ? null : JSON.parse(text) };
  }

  /** Waits until the connector has `count` finished runs; resolves with its runs, newest first. */
  async function finishedRuns(connectorId, count, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body: runs } = await call("GET", `/api/connectors/${connectorId}/runs`);
      if (runs.filter((r) => r.status !== "running" && r.status !== "queued").length >= count) return runs;
      if (Date.now() > deadline) throw new Error(`connector ${connectorId} did not finish ${count} runs: ${JSON.stringify(runs)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return { call, finishedRuns };
}

/** A page of its own (own context: own storage, own clock), failing fast enough to say where it waited. */
export async function newPage(browser, { viewport = { width: 1280, height: 860 }, clockBehindMs = 0 } = {}) {
  const context = await browser.newContext({ viewport });
  // A browser whose clock is behind the server's: the clock runs, from a time in the past.
  if (clockBehindMs > 0) await context.clock.install({ time: Date.now() - clockBehindMs });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** The page is no wider than the window: nothing overflows sideways. */
export async function assertKeepsWidth(page, where) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${where}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`);
}

/**
 * Where an element's text wraps to a new line other than at a space or at one of its <wbr> break
 * points (each part between them is its own text node): those are mid-word breaks.
 */
export function midWordBreaks(locator) {
  return locator.evaluate((element) => {
    const found = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node.textContent;
      let previousTop = null;
      for (let i = 0; i < text.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (rect === undefined) continue;
        if (previousTop !== null && rect.top > previousTop + 2 && !/\s/.test(text[i]) && !/\s/.test(text[i - 1])) {
          found.push(`${text.slice(Math.max(0, i - 12), i)}|${text.slice(i, i + 12)}`);
        }
        previousTop = rect.top;
      }
    }
    return found;
  });
}
