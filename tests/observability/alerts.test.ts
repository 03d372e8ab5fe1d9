import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { metrics } from "../../server/metrics/registry";

/**
 * The alert rules and the dashboard in docs/monitoring/ name only metrics
 * the app exports, so renaming a metric breaks this test rather than an
 * operator's alert. (CI also runs `promtool check rules` on the rules file.)
 */

const docs = path.resolve(import.meta.dirname, "../../docs/monitoring");

/** Series Prometheus makes itself, not the app. */
const FROM_PROMETHEUS = new Set(["up"]);

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
]);

/** Every `expr:` of a Prometheus rules file, single-line or a block (`|`, `>-`). */
function ruleExpressions(yaml: string): string[] {
  const exprs: string[] = [];
  const lines = yaml.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^(\s*)(?:- )?expr:\s*(.*)$/.exec(lines[i]!);
    if (!match) continue;
    const rest = match[2]!.trim();
    if (/^[|>][-+]?$/.test(rest)) {
      const block: string[] = [];
      const indent = match[1]!.length;
      while (i + 1 < lines.length && (lines[i + 1]!.trim() === "" || lines[i + 1]!.search(/\S/) > indent))
        block.push(lines[++i]!);
      exprs.push(block.join("\n"));
    } else exprs.push(rest.replace(/^'(.*)'$/, "$1").replace(/^"(.*)"$/, "$1"));
  }
  return exprs;
}

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords, labels or values. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // grouping labels
    .replace(/\[[^\]]*\]/g, ""); // ranges
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index + m[0].length).trimStart();
    if (after.startsWith("(") || KEYWORDS.has(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

/** Every series name the app's /metrics may show (a histogram's buckets, sum and count included). */
function exportedNames(): Set<string> {
  const names = new Set<string>(FROM_PROMETHEUS);
  for (const metric of metrics().registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
  }
  return names;
}

describe("docs/monitoring", () => {
  it("alerts.yml uses only metrics the app exports, and covers what an operator needs", () => {
    const yaml = readFileSync(path.join(docs, "alerts.yml"), "utf8");
    const exprs = ruleExpressions(yaml);
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    const exported = exportedNames();
    const used = new Set(exprs.flatMap(metricNames));
    for (const name of used) expect(exported, `${name} in alerts.yml`).toContain(name);
    for (const needed of [
      "gatehouse_outbox_oldest_age_seconds",
      "gatehouse_webhook_deliveries_oldest_age_seconds",
      "gatehouse_password_hash_queue",
      "gatehouse_http_request_duration_seconds_count",
      "gatehouse_database_up",
      "process_start_time_seconds",
    ])
      expect(used, needed).toContain(needed);
  });

  it("the Grafana dashboard's queries use only metrics the app exports", () => {
    const dashboard = JSON.parse(readFileSync(path.join(docs, "grafana-dashboard.json"), "utf8")) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    expect(exprs.length).toBeGreaterThan(20);
    const exported = exportedNames();
    for (const name of new Set(exprs.flatMap(metricNames)))
      expect(exported, `${name} in grafana-dashboard.json`).toContain(name);
  });

  it("reads metric names the way PromQL does", () => {
    expect(
      metricNames(
        'sum by (instance) (rate(a_total{status=~"5.."}[5m])) / ignoring(state) b > 0.8 and on(x) changes(c[1h])',
      ),
    ).toEqual(["a_total", "b", "c"]);
  });
});
