import { describe, expect, it } from "vitest";
import type { Fixtures } from "../../scan/instance";
import { signOutGuard } from "../../scan/proxy";
import { parseSqlmapOutput, sqlmapArgs } from "../../scan/sqlmap";
import { summarize } from "../../scan/summary";
import { publicApiTargets } from "../../scan/targets";
import { parseWapitiReport } from "../../scan/wapiti";
import { endpoints } from "../../server/openapi/paths";

// How `npm run scan` reads the scanners' verdicts: a finding must fail it, and so must a scan that did not finish.

const vulnerable = `[02:50:11] [INFO] testing 'PostgreSQL AND boolean-based blind - WHERE or HAVING clause (CAST)'
[02:50:12] [INFO] (custom) POST parameter 'JSON q' appears to be 'AND boolean-based blind - WHERE or HAVING clause' injectable
sqlmap identified the following injection point(s) with a total of 46 HTTP(s) requests:
---
Parameter: JSON q ((custom) POST)
    Type: boolean-based blind
    Title: AND boolean-based blind - WHERE or HAVING clause
    Payload: {"q":"a' AND 4372=4372-- qVbm"}

    Type: time-based blind
    Title: PostgreSQL > 8.1 AND time-based blind
    Payload: {"q":"a' AND 9812=(SELECT 9812 FROM PG_SLEEP(3))-- Xyvn"}
---
[02:50:20] [INFO] the back-end DBMS is PostgreSQL
`;

const clean = `[02:51:01] [INFO] testing 'Generic UNION query (NULL) - 1 to 10 columns'
[02:51:03] [WARNING] (custom) POST parameter 'JSON email' does not seem to be injectable
[02:51:03] [ERROR] all tested parameters do not appear to be injectable. Try to increase values for '--level'/'--risk' options if you wish to perform more tests, skipping to the next target
`;

const stopped = `[02:52:00] [CRITICAL] connection refused (the target URL is not reachable)
`;

describe("sqlmap's output", () => {
  it("turns each injection point into a high finding that names the parameter and the techniques", () => {
    const outcome = parseSqlmapOutput("tRPC query client.list", vulnerable);
    expect(outcome.status).toBe("vulnerable");
    expect(outcome.findings).toEqual([
      expect.objectContaining({
        severity: "high",
        kind: "SQL injection",
        where: "tRPC query client.list: JSON q ((custom) POST)",
        detail: "boolean-based blind; time-based blind",
      }),
    ]);
  });

  it("is clean only when sqlmap says every parameter was tested and none is injectable", () => {
    expect(parseSqlmapOutput("POST /reg/user body", clean)).toEqual({
      target: "POST /reg/user body",
      status: "clean",
      findings: [],
    });
  });

  it("calls a run that ended without a verdict incomplete, with sqlmap's reason", () => {
    const outcome = parseSqlmapOutput("GET /wallet/accounts", stopped);
    expect(outcome.status).toBe("incomplete");
    expect(outcome.findings[0]).toMatchObject({
      severity: "error",
      detail: "connection refused (the target URL is not reachable)",
    });
  });
});

describe("wapiti's report", () => {
  const item = (info: string, level = 1) => ({ method: "GET", path: "/clients", info, level, parameter: "" });

  it("fails on attacks that worked and on headers it grades badly, and accepts only what is written down", () => {
    const findings = parseWapitiReport({
      vulnerabilities: {
        "Cross Site Scripting": [
          { ...item("XSS vulnerability found via injection in the parameter q", 2), parameter: "q" },
        ],
        "HTTP Secure Headers": [item("X-Frame-Options is not set")],
        "Content Security Policy Configuration": [item("CSP is not set")],
        "Secure Flag cookie": [item("Secure flag is not set in the cookie : authjs.session-token")],
      },
      anomalies: {
        "Internal Server Error": [item("The server responded with a 500 HTTP error code", 3)],
        "Resource consumption": [item("Timeout")],
      },
    });
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([
      ["Cross Site Scripting", "medium"],
      ["HTTP Secure Headers", "medium"],
      ["Content Security Policy Configuration", "medium"],
      ["Secure Flag cookie", "info"],
      ["Internal Server Error", "high"],
      ["Resource consumption", "info"],
    ]);
  });

  it("does not accept a missing Secure flag on a cookie that is not next-auth's", () => {
    const [finding] = parseWapitiReport({
      vulnerabilities: { "Secure Flag cookie": [item("Secure flag is not set in the cookie : gatehouse-pref")] },
      anomalies: {},
    });
    expect(finding!.severity).toBe("medium");
  });
});

describe("the scan's verdict", () => {
  const phase = (requests: number) => ({
    tool: "sqlmap" as const,
    targets: 1,
    seconds: 1,
    requests,
    statuses: {},
    refused: 0,
  });
  const base = { startedAt: "2026-01-01T00:00:00.000Z", seconds: 1, base: "http://127.0.0.1:3401", skipped: [] };

  it("passes with informational findings only", () => {
    expect(
      summarize({
        ...base,
        phases: [phase(10)],
        findings: [{ tool: "wapiti", severity: "info", kind: "CSP", where: "/", detail: "" }],
      }).passed,
    ).toBe(true);
  });

  it("fails on any other finding, and when a phase sent no request at all", () => {
    expect(
      summarize({
        ...base,
        phases: [phase(10)],
        findings: [{ tool: "wapiti", severity: "low", kind: "CRLF Injection", where: "/", detail: "" }],
      }).passed,
    ).toBe(false);
    const silent = summarize({ ...base, phases: [phase(0)], findings: [] });
    expect(silent.passed).toBe(false);
    expect(silent.bySeverity.error).toBe(1);
  });
});

describe("the scan's targets", () => {
  const fixtures: Fixtures = {
    base: "http://127.0.0.1:3401",
    partnerId: 1001,
    masterKey: "ghk_test",
    tierId: 1,
    client: {
      id: "c1",
      email: "a@example.test",
      password: "A9#bL8@z",
      accessToken: "t",
      accountId: "a1",
      subscriptionId: "s1",
      invoiceId: "i1",
    },
    whiteLabel: { id: "w1", email: "w@example.test", password: "Qwerty123", token: "wt" },
    staff: {
      email: "s@scan.test",
      sessionCookie: { name: "authjs.session-token", value: "v" },
      signOutActions: ["ab12"],
    },
  };

  it("covers every documented public endpoint, or says why not", () => {
    const { targets, skipped } = publicApiTargets(fixtures);
    for (const e of endpoints) {
      const id = `${e.method.toUpperCase()} ${e.path}`;
      const covered = targets.some((t) => t.name.startsWith(`${id} `)) || skipped.some((s) => s.name === id);
      expect(covered, id).toBe(true);
    }
  });

  it("sends requests that reach past the lookups: real ids, and an injection marker in every path and header target", () => {
    const { targets } = publicApiTargets(fixtures);
    const invoice = targets.find((t) => t.name === "GET /invoice/{invoiceId} path invoiceId")!;
    expect(invoice.url).toBe("http://127.0.0.1:3401/invoice/i1*");
    expect(invoice.headers.Authorization).toBe("Bearer t");
    const start = targets.find((t) => t.name.startsWith("POST /reg/subscription body"))!;
    expect(JSON.parse(start.data!)).toMatchObject({ accountId: "a1", subscriptionDetailsId: 1 });
    for (const t of targets.filter((t) => / (path|header) /.test(t.name)))
      expect(t.url + Object.values(t.headers).join(""), t.name).toContain("*");
  });

  it("names token-like parameters for sqlmap, which otherwise passes over them", () => {
    const { targets } = publicApiTargets(fixtures);
    const refresh = targets.find((t) => t.name === "POST /api/token/refresh body (refresh)")!;
    expect(sqlmapArgs(refresh, "http://127.0.0.1:1", "/tmp")).toEqual(expect.arrayContaining(["-p", "refresh_token"]));
    const captcha = targets.find((t) => t.name === "POST /api/public/register header Captcha-token")!;
    expect(captcha.testParameters).toEqual(["Captcha-token #1*"]);
  });
});

describe("the crawl's session guard", () => {
  const guard = signOutGuard(["ab12"]);

  it("refuses the sign-out form and next-auth's sign-out, and lets every other request through", () => {
    expect(
      guard(
        "POST",
        "/overview",
        Buffer.from('------x\r\nContent-Disposition: form-data; name="$ACTION_ID_ab12"\r\n\r\n\r\n------x--'),
      ),
    ).toMatch(/refused/);
    expect(guard("POST", "/clients", Buffer.from("%24ACTION_ID_ab12=default"))).toMatch(/refused/);
    expect(guard("POST", "/api/auth/signout", Buffer.alloc(0))).toMatch(/refused/);
    expect(guard("POST", "/overview", Buffer.from('name="$ACTION_ID_cd34"'))).toBeUndefined();
    expect(guard("GET", "/clients", Buffer.alloc(0))).toBeUndefined();
  });
});
