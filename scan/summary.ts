import type { ServerError, Tally } from "./proxy";

/** `info` is reported and does not fail the scan; `error` is a scan that could not finish, which does. */
export type Severity = "high" | "medium" | "low" | "info" | "error";

export interface Finding {
  tool: "sqlmap" | "wapiti" | "proxy";
  severity: Severity;
  kind: string;
  where: string;
  detail: string;
}

export interface PhaseSummary {
  tool: "sqlmap" | "wapiti";
  targets: number;
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  refused: number;
}

export interface ScanSummary {
  startedAt: string;
  seconds: number;
  base: string;
  phases: PhaseSummary[];
  skipped: { name: string; reason: string }[];
  findings: Finding[];
  bySeverity: Record<Severity, number>;
  passed: boolean;
}

/** 5xx answers the proxy saw, one finding per distinct method and path. */
export function serverErrorFindings(tool: "sqlmap" | "wapiti", errors: ServerError[]): Finding[] {
  const byRoute = new Map<string, { count: number; example: ServerError }>();
  for (const e of errors) {
    const key = `${e.status} ${e.method} ${e.target.split("?")[0]}`;
    const seen = byRoute.get(key);
    if (seen) seen.count++;
    else byRoute.set(key, { count: 1, example: e });
  }
  return [...byRoute].map(([key, { count, example }]) => ({
    tool: "proxy",
    severity: "high",
    kind: "Server error on hostile input",
    where: key,
    detail: `${count} answer(s) during the ${tool} phase, e.g. ${example.method} ${example.target}`,
  }));
}

export function phaseOf(tool: "sqlmap" | "wapiti", targets: number, seconds: number, tally: Tally): PhaseSummary {
  return {
    tool,
    targets,
    seconds: Math.round(seconds),
    requests: tally.requests,
    statuses: tally.statuses,
    refused: tally.refused,
  };
}

export function summarize(input: Omit<ScanSummary, "bySeverity" | "passed">): ScanSummary {
  const bySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0, error: 0 };
  for (const f of input.findings) bySeverity[f.severity]++;
  // A phase that sent nothing through the proxy scanned nothing, whatever its report says.
  const silent = input.phases.filter((p) => p.requests === 0);
  const findings = [
    ...input.findings,
    ...silent.map((p): Finding => ({
      tool: p.tool,
      severity: "error",
      kind: "Scan incomplete",
      where: input.base,
      detail: "no request reached the instance",
    })),
  ];
  bySeverity.error += silent.length;
  const passed = findings.every((f) => f.severity === "info");
  return { ...input, findings, bySeverity, passed };
}

export function formatSummary(s: ScanSummary): string {
  const lines = [`Scan of ${s.base}, started ${s.startedAt}, ${Math.round(s.seconds)} s`];
  for (const p of s.phases) {
    const statuses = Object.entries(p.statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, n]) => `${code}×${n}`)
      .join(" ");
    lines.push(
      `  ${p.tool}: ${p.targets} targets, ${p.requests} requests in ${p.seconds} s (${statuses})${p.refused ? `, ${p.refused} refused by the proxy (out of scope, or signing the scan out)` : ""}`,
    );
  }
  for (const k of s.skipped) lines.push(`  not scanned: ${k.name} — ${k.reason}`);
  lines.push(
    `Findings: ${(Object.entries(s.bySeverity) as [Severity, number][]).map(([sev, n]) => `${sev} ${n}`).join(", ")}`,
  );
  for (const f of s.findings) lines.push(`  [${f.severity}] ${f.tool} ${f.kind}: ${f.where} — ${f.detail}`);
  lines.push(s.passed ? "PASS: no finding that fails the scan" : "FAIL: see the findings above");
  return lines.join("\n");
}
