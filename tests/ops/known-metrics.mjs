// What Zenith really exports, and the metric names a PromQL expression uses: shared by the
// Grafana and alert checks.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parser } from "@prometheus-io/lezer-promql";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const approvedScrape = join(repoRoot, "tests/Zenith.Service.Tests/Approved/metrics.approved.txt");
export const expectedList = join(repoRoot, "tests/ops/expected-metrics.txt");

// Series Prometheus makes itself for every target, and the labels it adds to every series.
const prometheusSeries = ["up", "scrape_duration_seconds", "scrape_samples_scraped"];
const targetLabels = ["job", "instance"];

/**
 * Map of sample name → Set of label names (null when the source lists the name without any
 * sample, so its labels are unknown), from the approved scrape when it exists.
 */
export function loadKnownMetrics() {
  const source = existsSync(approvedScrape) ? approvedScrape : expectedList;
  const metrics = source === approvedScrape
    ? fromExposition(readFileSync(source, "utf8"))
    : fromList(readFileSync(source, "utf8"));
  for (const name of prometheusSeries) metrics.set(name, new Set());
  for (const labels of metrics.values()) for (const l of targetLabels) labels?.add(l);
  return { source, metrics };
}

/**
 * Names and label names of a Prometheus text exposition. `# TYPE` lines name the families
 * (the approved scrape keeps only those for the runtime's metrics); each sample line's series,
 * `name{label="value",…}`, is a PromQL selector, so the PromQL parser reads it.
 */
function fromExposition(text) {
  const metrics = new Map();
  const suffixes = { histogram: ["_bucket", "_sum", "_count"], summary: ["", "_sum", "_count"] };
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      for (const suffix of suffixes[type[2]] ?? [""]) {
        if (!metrics.has(type[1] + suffix)) metrics.set(type[1] + suffix, null);
      }
      continue;
    }
    if (line.trim() === "" || line.startsWith("#")) continue;
    const close = line.lastIndexOf("}");
    const series = close >= 0 ? line.slice(0, close + 1) : line.split(/\s/)[0];
    const [{ metric, labels }] = selectorsOf(series);
    metrics.set(metric, new Set([...(metrics.get(metric) ?? []), ...labels]));
  }
  return metrics;
}

function fromList(text) {
  const metrics = new Map();
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const [name, ...labels] = trimmed.split(/\s+/);
    metrics.set(name, new Set(labels));
  }
  return metrics;
}

/**
 * Parses a PromQL expression and returns its selectors ({ metric, labels }) or throws with
 * the position of the first syntax error. Grafana's $__ macros are replaced by a duration
 * first; template variables inside label values are plain strings to PromQL.
 */
export function selectorsOf(expr) {
  const promql = expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
  const tree = parser.parse(promql);
  const selectors = [];
  let error;
  tree.iterate({
    enter(node) {
      if (node.type.isError && error === undefined) error = node.from;
      if (node.name !== "VectorSelector") return;
      const selector = { metric: undefined, labels: [] };
      const cursor = node.node.cursor();
      cursor.iterate((child) => {
        if (child.name === "Identifier" && child.node.parent?.name === "VectorSelector") {
          selector.metric = promql.slice(child.from, child.to);
        }
        if (child.name === "LabelName" && child.node.parent?.name === "UnquotedLabelMatcher") {
          selector.labels.push(promql.slice(child.from, child.to));
        }
      });
      selectors.push(selector);
    },
  });
  if (error !== undefined) {
    throw new Error(`PromQL syntax error at ${error}: ${promql.slice(Math.max(0, error - 20), error + 20)} in ${expr}`);
  }
  return selectors;
}

/** Problems with the metric and label names of an expression ([] when it is all real). */
export function unknownNames(expr, metrics) {
  const problems = [];
  for (const { metric, labels } of selectorsOf(expr)) {
    if (metric === undefined) {
      problems.push(`a selector without a metric name in ${expr}`);
      continue;
    }
    const known = metrics.get(metric);
    if (known === undefined) {
      problems.push(`unknown metric ${metric}`);
      continue;
    }
    // Labels are checked where the source shows samples (the live check covers the rest).
    for (const label of known === null ? [] : labels) {
      if (!known.has(label)) problems.push(`metric ${metric} has no label ${label}`);
    }
  }
  return problems;
}

/** [where, expr] for every PromQL query of a Grafana dashboard: panel targets and query variables. */
export function dashboardQueries(dashboard) {
  const queries = [];
  for (const panel of dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
    for (const target of panel.targets ?? []) {
      queries.push([`panel "${panel.title}" ${target.refId}`, target.expr]);
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== "query") continue;
    const query = typeof variable.query === "string" ? variable.query : variable.query.query;
    // label_values(<selector>, label) is Grafana's, not PromQL: the selector inside is.
    const inner = /^label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\)$/.exec(query.trim());
    queries.push([`variable $${variable.name}`, inner ? inner[1] : query]);
  }
  return queries;
}
