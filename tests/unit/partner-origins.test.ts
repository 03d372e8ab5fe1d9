import { describe, expect, it } from "vitest";
import {
  corsHeaders,
  hostsSchema,
  isLocalDevelopmentOrigin,
  originSchema,
  originsProblem,
  originsSchema,
} from "../../server/partners/origins";

describe("partner hosts", () => {
  it("are stored as lower-case hostnames without a trailing dot", () => {
    expect(hostsSchema.parse(["App.Example.COM", "wallet.example.org."])).toEqual([
      "app.example.com",
      "wallet.example.org",
    ]);
  });

  it.each([
    "https://app.example.com",
    "app.example.com:443",
    "app.example.com/path",
    "localhost",
    "-bad.example.com",
    "exa mple.com",
    "",
  ])("refuse %j", (host) => {
    expect(hostsSchema.safeParse([host]).success).toBe(false);
  });

  it("are listed once", () => {
    expect(hostsSchema.safeParse(["a.example.com", "A.example.com"]).error?.issues[0]?.message).toBe(
      "List each host once",
    );
  });
});

describe("partner origins", () => {
  it("keep scheme, host and port", () => {
    expect(originSchema.parse("https://app.example.com")).toBe("https://app.example.com");
    expect(originSchema.parse("https://app.example.com:8443/")).toBe("https://app.example.com:8443");
    expect(originSchema.parse("http://localhost:5173")).toBe("http://localhost:5173");
  });

  it.each([
    "http://app.example.com",
    "https://app.example.com/path",
    "https://user@app.example.com",
    "*",
    "null",
    "ftp://x.example.com",
  ])("refuse %j", (origin) => {
    expect(originSchema.safeParse(origin).success).toBe(false);
  });

  it("allow http://localhost only for sandbox partners", () => {
    const origins = originsSchema.parse(["https://app.example.com", "http://localhost:3000"]);
    expect(originsProblem(origins, true)).toBeUndefined();
    expect(originsProblem(origins, false)).toMatch(/sandbox partners only/);
  });

  it.each([
    "http://localhost",
    "https://localhost",
    "https://localhost:8443",
    "https://app.localhost",
    "http://127.0.0.1:3000",
    "https://127.0.0.1",
    "https://127.0.0.1:8443",
    "https://127.45.6.7",
    "http://[::1]:5173",
    "https://[::1]",
    "https://[::ffff:7f00:1]",
  ])("count %j as a development origin, which a live partner may not list", (text) => {
    const origins = originsSchema.parse([text]);
    expect(isLocalDevelopmentOrigin(origins[0]!)).toBe(true);
    expect(originsProblem(origins, true)).toBeUndefined();
    expect(originsProblem(origins, false)).toMatch(/sandbox partners only/);
  });

  it.each(["https://localhost.example.com", "https://127.0.0.1.example.com", "https://mylocalhost.example"])(
    "do not mistake %j for a development origin",
    (origin) => {
      expect(isLocalDevelopmentOrigin(origin)).toBe(false);
      expect(originsProblem([origin], false)).toBeUndefined();
    },
  );
});

describe("CORS headers", () => {
  it("name the allowed origin itself, never *", () => {
    expect(corsHeaders("https://app.example.com", ["https://app.example.com"])).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
    });
  });

  it("are absent for another origin, a look-alike, or no origin", () => {
    for (const origin of ["https://evil.example.com", "https://app.example.com.evil.test", "null", null]) {
      expect(corsHeaders(origin, ["https://app.example.com"])).toEqual({});
    }
  });
});
