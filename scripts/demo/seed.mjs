#!/usr/bin/env node
// Seeds a realistic `monitoring.visited_sites` collection for the demo: employee-monitoring
// events shaped like seed 001's visited_sites (organization, employee and computer ids,
// URL/domain/title, nested device, browser and geo details, durations, timestamps).
// The same --seed and --anchor give the same documents, _id included. With --live it then
// keeps inserting new events and updating existing ones (fresh updated_at) every second
// until Ctrl-C, so an incremental connector always has something new to copy.
//
//   node scripts/demo/seed.mjs --uri mongodb://127.0.0.1:27017/ --count 100000 --live
import { parseArgs } from "node:util";
import { setTimeout as delay } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { MongoClient, ObjectId } from "mongodb";

const usage = `Usage: node scripts/demo/seed.mjs [options]
  --uri <uri>          MongoDB connection string (default $ZENITH_DEMO_MONGO_URI or mongodb://127.0.0.1:27017/)
  --db <name>          database (default monitoring)
  --collection <name>  collection (default visited_sites)
  --count <n>          documents to seed (default 100000; 0 seeds nothing)
  --seed <n>           seed of the generator (default 1)
  --anchor <iso time>  newest event time of the seeded data (default: now, to the minute)
  --drop               drop the collection first (else it must be empty when --count > 0)
  --live               then insert --live-inserts and update --live-updates documents every second until Ctrl-C
  --live-inserts <n>   new documents per second in --live mode (default 500)
  --live-updates <n>   updated documents per second in --live mode (default 100)
  --help               show this help`;

const BATCH = 10_000;
const DAYS = 7;

// mulberry32: a small, fast, seedable PRNG (Math.random cannot be seeded).
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SITES = [
  ["github.com", "productive", ["/zenith/zenith/pulls", "/issues", "/notifications"], "GitHub"],
  ["stackoverflow.com", "productive", ["/questions/tagged/clickhouse", "/questions/tagged/mongodb"], "Stack Overflow"],
  ["docs.google.com", "productive", ["/document/d/quarterly-plan", "/spreadsheets/d/budget-2026"], "Google Docs"],
  ["mail.google.com", "productive", ["/mail/u/0/#inbox", "/mail/u/0/#sent"], "Gmail"],
  ["outlook.office.com", "productive", ["/mail/inbox", "/calendar/view/week"], "Outlook"],
  ["teams.microsoft.com", "productive", ["/v2/", "/l/meetup-join/standup"], "Microsoft Teams"],
  ["app.slack.com", "productive", ["/client/T01/C-general", "/client/T01/C-support"], "Slack"],
  ["jira.atlassian.com", "productive", ["/browse/ZEN-142", "/jira/software/projects/ZEN/boards/1"], "Jira"],
  ["confluence.atlassian.com", "productive", ["/wiki/spaces/ENG/pages/onboarding"], "Confluence"],
  ["figma.com", "productive", ["/file/dashboard-redesign", "/files/recent"], "Figma"],
  ["notion.so", "productive", ["/team/roadmap", "/meeting-notes"], "Notion"],
  ["clickhouse.com", "productive", ["/docs/sql-reference/functions", "/docs/engines/table-engines"], "ClickHouse Docs"],
  ["mongodb.com", "productive", ["/docs/manual/changeStreams/", "/docs/drivers/"], "MongoDB Docs"],
  ["learn.microsoft.com", "productive", ["/dotnet/core/whats-new/dotnet-10/overview", "/aspnet/core/"], "Microsoft Learn"],
  ["hh.uz", "neutral", ["/vacancies", "/resume/edit"], "hh.uz"],
  ["kun.uz", "neutral", ["/news/2026/11/economy", "/news/tech"], "Kun.uz"],
  ["gazeta.uz", "neutral", ["/ru/2026/11/business", "/ru/tech"], "Gazeta.uz"],
  ["wikipedia.org", "neutral", ["/wiki/Time_series_database", "/wiki/Extract,_transform,_load"], "Wikipedia"],
  ["translate.google.com", "neutral", ["/?sl=en&tl=uz", "/?sl=ru&tl=en"], "Google Translate"],
  ["youtube.com", "unproductive", ["/watch?v=dQw4w9WgXcQ", "/feed/subscriptions", "/shorts"], "YouTube"],
  ["instagram.com", "unproductive", ["/explore/", "/reels/"], "Instagram"],
  ["facebook.com", "unproductive", ["/watch", "/marketplace"], "Facebook"],
  ["x.com", "unproductive", ["/home", "/explore"], "X"],
  ["web.telegram.org", "unproductive", ["/k/#@channel", "/a/"], "Telegram Web"],
  ["olx.uz", "unproductive", ["/elektronika/telefony", "/transport/legkovye-avtomobili"], "OLX"],
  ["netflix.com", "unproductive", ["/browse", "/watch/81040344"], "Netflix"],
];
const FIRST = ["Aziz", "Dilnoza", "Jasur", "Malika", "Rustam", "Nodira", "Sardor", "Gulnora", "Timur", "Shahlo",
  "Bekzod", "Zarina", "Olim", "Kamola", "Farrukh", "Madina", "Ivan", "Anna", "Dmitry", "Elena", "John", "Maria"];
const LAST = ["Karimov", "Yusupova", "Rakhimov", "Tashkentova", "Aliyev", "Ismoilova", "Nazarov", "Petrov",
  "Sokolova", "Smith", "Garcia", "Umarov", "Khodjaeva", "Saidov"];
const DEPARTMENTS = ["Engineering", "Sales", "Support", "Finance", "HR", "Marketing", "Operations"];
const PLACES = [
  ["UZ", "Tashkent", "Asia/Tashkent", 41.2995, 69.2401],
  ["UZ", "Samarkand", "Asia/Samarkand", 39.6542, 66.9597],
  ["UZ", "Bukhara", "Asia/Samarkand", 39.7681, 64.4556],
  ["KZ", "Almaty", "Asia/Almaty", 43.222, 76.8512],
  ["RU", "Moscow", "Europe/Moscow", 55.7558, 37.6173],
  ["DE", "Berlin", "Europe/Berlin", 52.52, 13.405],
];
const OSES = [["Windows", ["10.0.19045", "10.0.22631"]], ["macOS", ["14.6", "15.1"]], ["Ubuntu", ["22.04", "24.04"]]];
const BROWSERS = [["Chrome", ["130.0.6723", "131.0.6778"]], ["Edge", ["130.0.2849"]], ["Firefox", ["132.0"]], ["Safari", ["18.1"]]];
const TAGS = ["work", "research", "communication", "meeting", "social", "video", "news", "shopping", "docs"];

const pick = (rng, items) => items[Math.floor(rng() * items.length)];
const int = (rng, min, max) => min + Math.floor(rng() * (max - min + 1));

/** The employees and their computers: fixed by the seed, shared by the seeded and live events. */
export function makePeople(rng, count = 400) {
  return Array.from({ length: count }, (_, i) => {
    const first = pick(rng, FIRST);
    const last = pick(rng, LAST);
    const [os, versions] = pick(rng, OSES);
    const place = pick(rng, PLACES);
    return {
      organization_id: 1 + (i % 5),
      users_on_computers_id: 1000 + i,
      employee: {
        id: 500 + i,
        name: `${first} ${last}`,
        email: `${first}.${last}.${i}@example.com`.toLowerCase(),
        department: pick(rng, DEPARTMENTS),
      },
      device: {
        hostname: `${os === "Windows" ? "DESKTOP" : os === "macOS" ? "MBP" : "WS"}-${(i * 7919).toString(36).toUpperCase().padStart(5, "0")}`,
        os: { name: os, version: pick(rng, versions) },
        agent_version: pick(rng, ["2.3.1", "2.4.0", "2.4.2"]),
        ip: `10.${1 + (i % 5)}.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      },
      place,
    };
  });
}

/**
 * One visited_sites event that started at `startedMs`. `id` is given for seeded documents
 * (deterministic) and left to the driver for live ones.
 */
export function makeEvent(rng, people, startedMs, id) {
  const person = pick(rng, people);
  const [domain, category, paths, site] = pick(rng, SITES);
  const path = pick(rng, paths);
  const [browser, versions] = pick(rng, BROWSERS);
  const [country, city, timezone, lat, lon] = person.place;
  const activeTime = category === "unproductive" ? int(rng, 5, 1800) : int(rng, 5, 3600);
  const idleTime = int(rng, 0, Math.floor(activeTime / 4));
  const started = new Date(startedMs);
  const ended = new Date(startedMs + (activeTime + idleTime) * 1000);
  const tabCount = int(rng, 1, 40);
  const doc = {
    organization_id: person.organization_id,
    users_on_computers_id: person.users_on_computers_id,
    employee: person.employee,
    device: person.device,
    browser: { name: browser, version: pick(rng, versions), incognito: rng() < 0.03 },
    geo: { country, city, timezone, location: [lon + (rng() - 0.5) / 50, lat + (rng() - 0.5) / 50] },
    url: `https://${domain}${path}`,
    domain,
    title: `${path.split("/").filter(Boolean).at(-1) ?? "Home"} - ${site}`,
    category,
    productivity_score: Math.round((category === "productive" ? 0.6 + rng() * 0.4 : category === "neutral" ? 0.3 + rng() * 0.4 : rng() * 0.3) * 1000) / 1000,
    active_time: activeTime,
    idle_time: idleTime,
    tags: [pick(rng, TAGS), pick(rng, TAGS)].filter((t, i, all) => all.indexOf(t) === i),
    metadata: { tab_count: tabCount, ...(rng() < 0.7 ? { referrer: `https://${pick(rng, SITES)[0]}/` } : {}) },
    datetime: started,
    started_at: started,
    ended_at: ended,
    created_at: ended,
    updated_at: ended,
  };
  return id === undefined ? doc : { _id: id, ...doc };
}

/**
 * The seeded events, oldest first, spread over the DAYS before `anchorMs`. Their ObjectIds
 * carry the event time and a sequence number, so they sort like the events and all come
 * before the ids of live inserts.
 */
export function* seededEvents({ seed, count, anchorMs }) {
  const rng = prng(seed);
  const people = makePeople(rng);
  const spanMs = DAYS * 24 * 3600 * 1000;
  for (let i = 0; i < count; i++) {
    // Events end at most 2 h after they start, so every seeded updated_at is before the anchor.
    const startedMs = anchorMs - spanMs + Math.floor(((i + rng()) / count) * spanMs) - 2 * 3600 * 1000;
    const id = Buffer.alloc(12);
    id.writeUInt32BE(Math.floor(startedMs / 1000), 0);
    id.writeUInt32BE(seed >>> 0, 4);
    id.writeUInt32BE(i, 8);
    yield makeEvent(rng, people, startedMs, new ObjectId(id));
  }
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      uri: { type: "string", default: process.env.ZENITH_DEMO_MONGO_URI ?? "mongodb://127.0.0.1:27017/" },
      db: { type: "string", default: "monitoring" },
      collection: { type: "string", default: "visited_sites" },
      count: { type: "string", default: "100000" },
      seed: { type: "string", default: "1" },
      anchor: { type: "string" },
      drop: { type: "boolean", default: false },
      live: { type: "boolean", default: false },
      "live-inserts": { type: "string", default: "500" },
      "live-updates": { type: "string", default: "100" },
      help: { type: "boolean", default: false },
    },
  });
  const whole = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${values[name]}"`);
    return n;
  };
  let anchorMs = Math.floor(Date.now() / 60_000) * 60_000;
  if (values.anchor !== undefined) {
    anchorMs = Date.parse(values.anchor);
    if (Number.isNaN(anchorMs)) throw new Error(`--anchor must be an ISO 8601 time, got "${values.anchor}"`);
    // Live changes carry the real time; seeded ones must be older, or a timestamp cursor
    // would skip the live changes.
    if (anchorMs > Date.now()) throw new Error(`--anchor must not be in the future, got "${values.anchor}"`);
  }
  return {
    help: values.help,
    uri: values.uri,
    db: values.db,
    collection: values.collection,
    count: whole("count", 0),
    seed: whole("seed", 0),
    anchorMs,
    drop: values.drop,
    live: values.live,
    liveInserts: whole("live-inserts", 0),
    liveUpdates: whole("live-updates", 0),
  };
}

/** The URI without its password, for messages. */
function redact(uri) {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}

/** Moves a new event so that it ends now, as an agent reports it. */
function endingNow(doc, now) {
  const started = new Date(now - (doc.active_time + doc.idle_time) * 1000);
  return { ...doc, datetime: started, started_at: started, ended_at: new Date(now), created_at: new Date(now), updated_at: new Date(now) };
}

async function seedCollection(collection, options, signal) {
  const started = performance.now();
  let batch = [];
  let written = 0;
  for (const doc of seededEvents(options)) {
    if (signal.aborted) break;
    batch.push(doc);
    if (batch.length === BATCH) {
      await collection.insertMany(batch, { ordered: false });
      written += batch.length;
      batch = [];
      if (process.stdout.isTTY) process.stdout.write(`\rseeded ${written.toLocaleString("en-US")} / ${options.count.toLocaleString("en-US")}`);
    }
  }
  if (batch.length > 0 && !signal.aborted) {
    await collection.insertMany(batch, { ordered: false });
    written += batch.length;
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${process.stdout.isTTY ? "\r" : ""}seeded ${written.toLocaleString("en-US")} documents in ${seconds.toFixed(1)} s (${Math.round(written / seconds).toLocaleString("en-US")} docs/s)\n`);
}

async function runLive(collection, options, signal) {
  const rng = prng(options.seed + 1);
  const people = makePeople(prng(options.seed));
  // Updates pick among the seeded documents (with --count 0, a few thousand of those already
  // there) and the ones inserted live.
  const ids = options.count > 0
    ? Array.from(seededEvents(options), (d) => d._id)
    : (await collection.find({}, { projection: { _id: 1 } }).limit(2_000).toArray()).map((d) => d._id);
  let inserted = 0;
  let updated = 0;
  let tick = 0;
  console.log(`live: inserting ${options.liveInserts} and updating ${options.liveUpdates} documents per second; Ctrl-C stops`);
  while (!signal.aborted) {
    const tickStarted = Date.now();
    const now = Date.now();
    if (options.liveInserts > 0) {
      const docs = Array.from({ length: options.liveInserts }, () => endingNow(makeEvent(rng, people, now), now));
      const result = await collection.insertMany(docs, { ordered: false });
      inserted += result.insertedCount;
      ids.push(...Object.values(result.insertedIds));
    }
    if (options.liveUpdates > 0 && ids.length > 0) {
      // One updateOne per document by _id: an agent extending a visit it already reported.
      const updates = Array.from({ length: Math.min(options.liveUpdates, ids.length) }, () => ({
        updateOne: {
          filter: { _id: pick(rng, ids) },
          update: { $set: { updated_at: new Date(now), ended_at: new Date(now) }, $inc: { active_time: int(rng, 1, 60) } },
        },
      }));
      const result = await collection.bulkWrite(updates, { ordered: false });
      updated += result.modifiedCount;
    }
    tick++;
    console.log(`live: tick ${tick}, ${inserted} inserted, ${updated} updated`);
    try {
      await delay(Math.max(0, 1000 - (Date.now() - tickStarted)), undefined, { signal });
    } catch (e) {
      if (e.name !== "AbortError") throw e;
    }
  }
  console.log(`live: stopped after ${tick} ticks: ${inserted} inserted, ${updated} updated`);
}

export async function main(argv = process.argv.slice(2)) {
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    console.error(`seed: ${e.message}\n${usage}`);
    return 2;
  }
  if (options.help) {
    console.log(usage);
    return 0;
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const collection = client.db(options.db).collection(options.collection);
    const target = `${options.db}.${options.collection} at ${redact(options.uri)}`;
    if (options.drop) {
      await collection.drop().catch((e) => {
        if (e.codeName !== "NamespaceNotFound" && e.code !== 26) throw e;
      });
    }
    if (options.count > 0) {
      const existing = await collection.estimatedDocumentCount();
      if (existing > 0) {
        console.error(`seed: ${target} already has ${existing} documents; pass --drop to replace them, or --count 0 --live to add to them`);
        return 1;
      }
      console.log(`seeding ${options.count} documents into ${target}`);
      await seedCollection(collection, options, stop.signal);
    }
    if (options.live) await runLive(collection, options, stop.signal);
    return 0;
  } catch (e) {
    console.error(`seed: ${e.message.replaceAll(options.uri, redact(options.uri))}`);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await client.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
