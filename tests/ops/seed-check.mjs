// Tests of the demo's seeder (scripts/demo/seed.mjs): the generator alone, then the script
// end to end through the real `mongodb` driver against ZENITH_TEST_MONGO_URI when set (a real
// MongoDB, e.g. the compose stack's), else against the project's MongoDB test server.
// Run: node --test tests/ops/seed-check.mjs
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, test } from "node:test";
import { BSON, MongoClient } from "mongodb";
import { repoRoot } from "./known-metrics.mjs";
import { seededEvents } from "../../scripts/demo/seed.mjs";
import { startTestServers } from "../node/test-servers.mjs";

// A minute-aligned time a day ago: live changes (stamped with the real time) come after it.
const anchorMs = Math.floor(Date.now() / 60_000) * 60_000 - 24 * 3600 * 1000;
const anchor = new Date(anchorMs).toISOString();
const ejson = (doc) => BSON.EJSON.stringify(doc, { relaxed: false });

test("the same seed and anchor give the same documents, another seed others", () => {
  const first = Array.from(seededEvents({ seed: 7, count: 500, anchorMs }), ejson);
  const again = Array.from(seededEvents({ seed: 7, count: 500, anchorMs }), ejson);
  const other = Array.from(seededEvents({ seed: 8, count: 500, anchorMs }), ejson);
  assert.deepEqual(again, first);
  assert.notDeepEqual(other, first);
});

test("seeded events are visited_sites rows: nested details, ids ordered like time, all before the anchor", () => {
  const docs = Array.from(seededEvents({ seed: 1, count: 2000, anchorMs }));
  for (const [i, doc] of docs.entries()) {
    assert.equal(typeof doc.organization_id, "number");
    assert.equal(typeof doc.users_on_computers_id, "number");
    assert.equal(typeof doc.employee.id, "number");
    assert.equal(typeof doc.device.os.name, "string");
    assert.equal(typeof doc.geo.city, "string");
    assert.equal(doc.geo.location.length, 2);
    assert.equal(new URL(doc.url).hostname, doc.domain);
    assert.ok(doc.active_time > 0);
    assert.ok(doc.started_at <= doc.ended_at);
    assert.ok(doc.updated_at.getTime() <= anchorMs, `document ${i} was updated after the anchor`);
    assert.ok(doc.started_at.getTime() >= anchorMs - 8 * 24 * 3600 * 1000, `document ${i} is older than 8 days`);
    if (i > 0) assert.ok(docs[i - 1]._id.toHexString() < doc._id.toHexString(), `_id ${i} is not after _id ${i - 1}`);
    assert.equal(doc._id.getTimestamp().getTime(), Math.floor(doc.started_at.getTime() / 1000) * 1000);
  }
  // Some documents lack the optional referrer, so the mapped column is Nullable.
  assert.ok(docs.some((d) => d.metadata.referrer === undefined));
  assert.ok(docs.some((d) => d.metadata.referrer !== undefined));
});

// --- end to end ----------------------------------------------------------------------------
let mongoUri = process.env.ZENITH_TEST_MONGO_URI;
let testServer;

/** Resolves with the first line of a child's stdout that matches, rejects if it exits first. */
function lineMatching(child, pattern, seen = []) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const onExit = (code) => reject(new Error(`exited with ${code} before printing ${pattern}:\n${seen.join("\n")}`));
    child.once("exit", onExit);
    lines.on("line", (line) => {
      seen.push(line);
      const match = pattern.exec(line);
      if (match) {
        child.off("exit", onExit);
        lines.close();
        resolve(match);
      }
    });
  });
}

before(async () => {
  if (mongoUri !== undefined) return;
  testServer = await startTestServers(["--mongo"]);
  mongoUri = testServer.mongo;
});

after(async () => {
  await testServer?.stop();
});

test("seed.mjs seeds the collection, then inserts and updates live until SIGINT", async () => {
  const db = `ops_seed_${process.pid}_${Date.now()}`;
  const count = 20_000;
  const seeder = spawn(process.execPath, [join(repoRoot, "scripts/demo/seed.mjs"), "--uri", mongoUri, "--db", db,
    "--count", String(count), "--seed", "7", "--anchor", anchor, "--live", "--live-inserts", "50", "--live-updates", "20"],
  { stdio: ["ignore", "pipe", "inherit"] });
  const seen = [];
  await lineMatching(seeder, /^live: tick 2,/, seen);
  const exited = once(seeder, "exit");
  seeder.kill("SIGINT");
  const stopped = await lineMatching(seeder, /^live: stopped after (\d+) ticks: (\d+) inserted, (\d+) updated$/, seen);
  const [code] = await exited;
  assert.equal(code, 0, seen.join("\n"));
  const [, , inserted, updated] = stopped.map(Number);
  assert.ok(inserted >= 100 && updated >= 40, stopped[0]);

  const client = new MongoClient(mongoUri);
  try {
    const visits = client.db(db).collection("visited_sites");
    assert.equal(await visits.countDocuments(), count + inserted);
    // Live inserts and updates carry a fresh updated_at, after everything seeded.
    const fresh = await visits.countDocuments({ updated_at: { $gt: new Date(anchorMs) } });
    assert.ok(fresh > inserted, `${fresh} documents newer than the anchor, ${inserted} inserted live`);
    // A seeded document that was not updated reads back exactly as generated, types included.
    const generated = seededEvents({ seed: 7, count, anchorMs });
    for (let i = 0; i < 5; i++) {
      const doc = generated.next().value;
      const stored = await visits.findOne({ _id: doc._id });
      if (stored.updated_at.getTime() > anchorMs) continue;
      assert.equal(ejson(stored), ejson(doc));
    }
  } finally {
    await client.db(db).dropDatabase();
    await client.close();
  }
});
