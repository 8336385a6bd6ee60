// The monitoring stack against a real Zenith: the service (with a good and a broken connector),
// the project's test servers, the demo seeder and a real Prometheus (Debian's `prometheus`)
// loaded with ops/prometheus/prometheus.yml and alerts.yml. Every query of the Grafana
// dashboard must return data, and the alerts for the broken connector must fire.
// Run: node --test tests/ops/live-check.mjs
//   ZENITH_SERVICE_DLL=<path to zenith.dll> picks a build; otherwise the newest
//   backend/Zenith.Service/bin/{Release,Debug}/net10.0/zenith.dll, else `dotnet run`.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, test } from "node:test";
import YAML from "yaml";
import { dashboardQueries, repoRoot } from "./known-metrics.mjs";
import { startTestServers } from "../node/test-servers.mjs";

const work = mkdtempSync(join(tmpdir(), "zenith-ops-live-"));
const apiKey = randomBytes(16).toString("hex");
const children = [];
let servers;
let zenithUrl;
let prometheusUrl;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(name, command, args, options = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let output = "";
  child.stdout.on("data", (c) => { output += c; });
  child.stderr.on("data", (c) => { output += c; });
  const exited = once(child, "exit");
  const entry = { name, child, exited, output: () => output };
  children.push(entry);
  return entry;
}

/** Polls `probe` until it returns a truthy value; fails with `describe()` after `timeoutMs`. */
async function eventually(probe, { timeoutMs, everyMs = 1000, describe }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) assert.fail(await describe());
    await delay(everyMs);
  }
}

function serviceCommand() {
  const fromEnv = process.env.ZENITH_SERVICE_DLL;
  if (fromEnv) return ["dotnet", [fromEnv, "serve"]];
  const built = ["Release", "Debug"]
    .map((c) => join(repoRoot, "backend/Zenith.Service/bin", c, "net10.0/zenith.dll"))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (built.length > 0) return ["dotnet", [built[0], "serve"]];
  return ["dotnet", ["run", "--project", join(repoRoot, "backend/Zenith.Service"), "-c", "Release",
    "--artifacts-path", process.env.ZENITH_OPS_ARTIFACTS ?? "/tmp/art-ops", "--", "serve"]];
}

async function api(method, path, body) {
  const response = await fetch(`${zenithUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text === "" ? undefined : JSON.parse(text);
}

async function promQuery(expr) {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = await response.json();
  if (body.status !== "success") throw new Error(`${expr}: ${body.error}`);
  return body.data.result;
}

before(async () => {
  servers = await startTestServers(["--both"]);

  // The demo's data: a seeded collection that keeps changing.
  const seeder = start("seeder", process.execPath, [join(repoRoot, "scripts/demo/seed.mjs"), "--uri", servers.mongo,
    "--count", "5000", "--live", "--live-inserts", "100", "--live-updates", "20"]);
  await eventually(async () => seeder.output().includes("live: tick 1,"), {
    timeoutMs: 120_000, describe: () => `the seeder did not start its live changes:\n${seeder.output()}`,
  });

  // Zenith, with /metrics behind the key so Prometheus's credentials_file is exercised too.
  const port = await freePort();
  zenithUrl = `http://127.0.0.1:${port}`;
  const [command, args] = serviceCommand();
  const zenith = start("zenith", command, args, {
    cwd: work,
    env: {
      ...process.env,
      ZENITH_server__urls: zenithUrl,
      ZENITH_metadata_storage__path: join(work, "zenith_metadata.db"),
      ZENITH_auth__api_key: apiKey,
      ZENITH_auth__protect_metrics: "true",
    },
  });
  await eventually(async () => (await fetch(`${zenithUrl}/health/ready`)).ok, {
    timeoutMs: 180_000, describe: () => `Zenith did not become ready:\n${zenith.output()}`,
  });
  const connector = (name, uri, collection) => ({
    name,
    source: { uri, database: "monitoring", collection },
    destination: { uri: servers.clickhouse, database: "analytics", table: name },
    mode: "incremental_timestamp",
    cursorField: "updated_at",
    intervalSeconds: 5,
  });
  const visited = await api("POST", "/api/connectors", connector("visited_sites", servers.mongo, "visited_sites"));
  await api("POST", "/api/connectors", connector("broken", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1000", "nothing"));
  // The verification panels need a verification: one after the first run (the live seeder keeps changing the
  // collection, so it may find pending documents; any result gives the gauges their series).
  await eventually(async () => (await api("GET", `/api/connectors/${visited.id}/runs`)).some((r) => r.status === "succeeded"), {
    timeoutMs: 180_000, describe: () => `visited_sites did not sync:\n${zenith.output()}`,
  });
  const verification = await api("POST", `/api/connectors/${visited.id}/verify`, { sampleSize: 100 });
  await eventually(async () => (await api("GET", `/api/verifications/${verification.id}`)).status === "succeeded", {
    timeoutMs: 180_000, describe: async () => `the verification did not succeed: ${JSON.stringify(await api("GET", `/api/verifications/${verification.id}`))}`,
  });
  // A live connector on the same changing collection: the change-stream panels (lag, events by type) have data.
  await api("POST", "/api/connectors", { ...connector("visited_sites_live", servers.mongo, "visited_sites"), mode: "change_stream", cursorField: undefined });

  // Prometheus with the committed config and rules, pointed at this Zenith, scraping fast.
  const promPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${promPort}`;
  const config = YAML.parse(readFileSync(join(repoRoot, "ops/prometheus/prometheus.yml"), "utf8"));
  config.global.scrape_interval = "2s";
  config.global.evaluation_interval = "2s";
  config.scrape_configs.find((j) => j.job_name === "zenith").static_configs = [{ targets: [`127.0.0.1:${port}`] }];
  config.scrape_configs.find((j) => j.job_name === "prometheus").static_configs = [{ targets: [`127.0.0.1:${promPort}`] }];
  writeFileSync(join(work, "prometheus.yml"), YAML.stringify(config));
  copyFileSync(join(repoRoot, "ops/prometheus/alerts.yml"), join(work, "alerts.yml"));
  writeFileSync(join(work, "zenith_api_key"), apiKey);
  const prometheus = start("prometheus", "prometheus", [`--config.file=${join(work, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(work, "tsdb")}`, `--web.listen-address=127.0.0.1:${promPort}`]);
  await eventually(async () => (await fetch(`${prometheusUrl}/-/ready`)).ok, {
    timeoutMs: 60_000, describe: () => `Prometheus did not become ready:\n${prometheus.output()}`,
  });
});

after(async () => {
  for (const { child, exited } of children.reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      await exited;
    }
  }
  await servers?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("Prometheus scrapes Zenith with the key", async () => {
  // Generous deadlines: the first scrape takes seconds to tens of seconds on a loaded machine.
  const up = await eventually(async () => (await promQuery('up{job="zenith"} == 1')).length === 1, {
    timeoutMs: 180_000,
    describe: async () => `target not up: ${JSON.stringify((await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()).data.activeTargets)}`,
  });
  assert.ok(up);
});

test("every query of the Grafana dashboard returns data", async () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, "ops/grafana/dashboards/zenith.json"), "utf8"));
  const queries = dashboardQueries(dashboard).map(([where, expr]) => [where, expr
    .replaceAll("$__rate_interval", "20s")
    .replaceAll("$__interval", "10s")
    .replaceAll("$__range", "5m")
    .replaceAll("$connector", ".*")]);
  const empty = async () => {
    const missing = [];
    for (const [where, expr] of queries) {
      if ((await promQuery(expr)).length === 0) missing.push(`${where}: ${expr}`);
    }
    return missing;
  };
  await eventually(async () => (await empty()).length === 0, {
    timeoutMs: 300_000,
    everyMs: 2000,
    describe: async () => `queries without data:\n${(await empty()).join("\n")}`,
  });
  const written = await promQuery('sum(zenith_rows_written_total{connector="visited_sites"})');
  assert.ok(Number(written[0].value[1]) >= 5000, `only ${written[0].value[1]} rows written`);
});

test("the broken connector raises ZenithRunsFailing and ZenithConnectorError, the good one nothing", async () => {
  const firing = async () => {
    const body = await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json();
    return body.data.alerts.filter((a) => a.state === "firing").map((a) => `${a.labels.alertname}/${a.labels.connector ?? "-"}`).sort();
  };
  // ZenithConnectorError has `for: 1m` after the third failure.
  await eventually(async () => {
    const now = await firing();
    return now.includes("ZenithConnectorError/broken") && now.includes("ZenithRunsFailing/broken");
  }, { timeoutMs: 360_000, everyMs: 2000, describe: async () => `firing: ${JSON.stringify(await firing())}` });
  const now = await firing();
  assert.deepEqual(now.filter((a) => !a.endsWith("/broken")), [], "only the broken connector should alert");
});
