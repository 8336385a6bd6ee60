// Checks the provisioned Grafana dashboard and the Prometheus alert rules against what
// Zenith really exports (tests/Zenith.Service.Tests/Approved/metrics.approved.txt, the
// service's approved /metrics scrape; tests/ops/expected-metrics.txt until it exists).
// Run: node --test tests/ops/
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import { dashboardQueries, loadKnownMetrics, repoRoot, selectorsOf, unknownNames } from "./known-metrics.mjs";

const grafana = join(repoRoot, "ops/grafana");
const dashboardsDir = join(grafana, "dashboards");
const dashboardFiles = readdirSync(dashboardsDir).filter((f) => f.endsWith(".json"));
const { source, metrics } = loadKnownMetrics();

function readYaml(path) {
  const doc = YAML.parseDocument(readFileSync(path, "utf8"));
  assert.deepEqual(doc.errors, [], `${path} is not valid YAML`);
  return doc.toJS();
}

/** Every panel, including the ones nested in collapsed rows. */
function panelsOf(dashboard) {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

const datasources = readYaml(join(grafana, "provisioning/datasources/prometheus.yml")).datasources;
const dashboards = dashboardFiles.map((file) => [file, JSON.parse(readFileSync(join(dashboardsDir, file), "utf8"))]);

test(`known metrics come from ${source.slice(repoRoot.length + 1)}`, () => {
  assert.ok(metrics.has("zenith_rows_written_total"), "zenith_rows_written_total is not in the known metrics");
});

test("the dashboards provider points where docker-compose.yml mounts the dashboards", () => {
  const providers = readYaml(join(grafana, "provisioning/dashboards/zenith.yml")).providers;
  const compose = readYaml(join(repoRoot, "docker-compose.yml"));
  const mounts = compose.services.grafana.volumes.map((v) => v.split(":"));
  for (const provider of providers) {
    const mount = mounts.find(([, target]) => target === provider.options.path);
    assert.ok(mount, `provider path ${provider.options.path} is not a mount of the grafana service`);
    assert.equal(mount[0], "./ops/grafana/dashboards");
  }
  assert.ok(dashboardFiles.length > 0, "no dashboard JSON in ops/grafana/dashboards");
});

test("the Prometheus datasource reaches the compose service", () => {
  const prometheus = datasources.find((d) => d.type === "prometheus");
  assert.ok(prometheus, "no Prometheus datasource provisioned");
  assert.equal(prometheus.url, "http://prometheus:9090");
});

for (const [file, dashboard] of dashboards) {
  test(`${file}: panels have unique ids, a title and provisioned datasources`, () => {
    assert.ok(dashboard.uid, "the dashboard needs a fixed uid for stable links");
    const uids = new Set(datasources.map((d) => d.uid));
    const ids = new Set();
    for (const panel of panelsOf(dashboard)) {
      assert.ok(!ids.has(panel.id), `panel id ${panel.id} is used twice`);
      ids.add(panel.id);
      assert.ok(panel.title, `panel ${panel.id} has no title`);
      for (const ds of [panel.datasource, ...(panel.targets ?? []).map((t) => t.datasource)]) {
        if (ds === undefined || panel.type === "row") continue;
        assert.ok(uids.has(ds.uid), `panel "${panel.title}" uses datasource ${ds.uid}, which is not provisioned`);
      }
    }
  });

  test(`${file}: every query parses and names metrics and labels Zenith exports`, () => {
    const queries = dashboardQueries(dashboard);
    assert.ok(queries.length > 0, "the dashboard has no query");
    const problems = queries.flatMap(([where, expr]) => {
      try {
        return unknownNames(expr, metrics).map((p) => `${where}: ${p}`);
      } catch (e) {
        return [`${where}: ${e.message}`];
      }
    });
    assert.deepEqual(problems, []);
  });

  test(`${file}: shows throughput, durations, failures, status, lag and memory`, () => {
    const used = new Set(dashboardQueries(dashboard).flatMap(([, expr]) => selectorsOf(expr).map((s) => s.metric)));
    for (const metric of [
      "zenith_rows_written_total",
      "zenith_sync_duration_seconds_bucket",
      "zenith_runs_total",
      "zenith_connector_status",
      "zenith_connector_last_success_timestamp_seconds",
      "dotnet_process_memory_working_set_bytes",
    ]) {
      assert.ok(used.has(metric), `no panel uses ${metric}`);
    }
  });
}

test("alerts.yml names only metrics and labels Zenith exports", () => {
  const rules = readYaml(join(repoRoot, "ops/prometheus/alerts.yml")).groups.flatMap((g) => g.rules);
  assert.ok(rules.length >= 4, "expected the four Zenith alerts");
  const problems = rules.flatMap((r) => unknownNames(r.expr, metrics).map((p) => `${r.alert}: ${p}`));
  assert.deepEqual(problems, []);
});

test("alerts.test.yml tests every alert of alerts.yml", () => {
  const alerts = readYaml(join(repoRoot, "ops/prometheus/alerts.yml")).groups.flatMap((g) => g.rules).map((r) => r.alert);
  const tests = readYaml(join(repoRoot, "ops/prometheus/alerts.test.yml")).tests;
  for (const alert of alerts) {
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []).filter((c) => c.alertname === alert);
    assert.ok(cases.some((c) => (c.exp_alerts ?? []).length > 0), `${alert} is never tested firing`);
    assert.ok(cases.some((c) => (c.exp_alerts ?? []).length === 0), `${alert} is never tested not firing`);
  }
});
