import { describe, expect, it } from "vitest";
import { normaliseHost, resolveRequestHost } from "../../server/http/request-host";

describe("the host a request was sent to", () => {
  it("is compared as partners list hosts: lower case, no port, no trailing dot; address literals and garbage name none", () => {
    expect(normaliseHost("API.AcmePay.example:443")).toBe("api.acmepay.example");
    expect(normaliseHost("api.acmepay.example.")).toBe("api.acmepay.example");
    for (const raw of [
      "[::1]:3000",
      "",
      "   ",
      "a b.example",
      "api.acmepay.example/path",
      "user@api.acmepay.example",
      null,
      undefined,
    ]) {
      expect(normaliseHost(raw), String(raw)).toBeUndefined();
    }
  });

  it("with no trusted proxy is Host, whatever X-Forwarded-Host says", () => {
    expect(
      resolveRequestHost({ host: "api.gatehouse.example", forwardedHost: "api.acmepay.example", trustedProxies: 0 }),
    ).toBe("api.gatehouse.example");
  });

  it("behind N trusted proxies is the N-th entry from the right of X-Forwarded-Host followed by Host", () => {
    const host = "gatehouse.internal:3000";
    expect(resolveRequestHost({ host, forwardedHost: "api.acmepay.example", trustedProxies: 1 })).toBe(
      "api.acmepay.example",
    );
    // The client wrote the first entry; the one trusted proxy appended the second.
    expect(resolveRequestHost({ host, forwardedHost: "forged.example, api.acmepay.example", trustedProxies: 1 })).toBe(
      "api.acmepay.example",
    );
    expect(
      resolveRequestHost({
        host,
        forwardedHost: "forged.example, api.acmepay.example, lb.internal",
        trustedProxies: 2,
      }),
    ).toBe("api.acmepay.example");
  });

  it("falls back to Host when the chain is too short or the entry is not a hostname", () => {
    expect(resolveRequestHost({ host: "api.acmepay.example", forwardedHost: null, trustedProxies: 1 })).toBe(
      "api.acmepay.example",
    );
    expect(resolveRequestHost({ host: "api.acmepay.example", forwardedHost: "one.example", trustedProxies: 2 })).toBe(
      "api.acmepay.example",
    );
    expect(resolveRequestHost({ host: "api.acmepay.example", forwardedHost: "not a host", trustedProxies: 1 })).toBe(
      "api.acmepay.example",
    );
  });
});
