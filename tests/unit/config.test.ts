import { describe, expect, it } from "vitest";
import { ConfigError, DEVELOPMENT_AUTH_SECRET, DEVELOPMENT_SUMSUB_WEBHOOK_SECRET, loadConfig } from "../../env";

const strongSecret = "s".repeat(40);

describe("configuration", () => {
  it("runs with no settings at all in development: embedded database, port 3000, labelled development secret", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      embedded: true,
      PORT: 3000,
      APP_URL: "http://localhost:3000",
      GATEHOUSE_DATA_DIR: ".data",
      isProduction: false,
    });
    expect(c.authSecret).toBe(DEVELOPMENT_AUTH_SECRET);
  });

  it("refuses production without AUTH_SECRET, with the development secret, or with a short one", () => {
    for (const AUTH_SECRET of [undefined, "", DEVELOPMENT_AUTH_SECRET, "short"]) {
      expect(() => loadConfig({ NODE_ENV: "production", AUTH_SECRET })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ NODE_ENV: "production", AUTH_SECRET: undefined })).toThrow(/AUTH_SECRET/);
  });

  it("refuses production on an external database without configured signing keys", () => {
    expect(() =>
      loadConfig({
        NODE_ENV: "production",
        AUTH_SECRET: strongSecret,
        DATABASE_URL: "postgres://db/x",
        APP_URL: "https://gh.example",
      }),
    ).toThrow(/JWT_PRIVATE_KEYS/);
    expect(
      loadConfig({
        NODE_ENV: "production",
        AUTH_SECRET: strongSecret,
        DATABASE_URL: "postgres://db/x",
        JWT_PRIVATE_KEYS: "pem",
        APP_URL: "https://gh.example",
      }).embedded,
    ).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", AUTH_SECRET: strongSecret }).embedded).toBe(true);
  });

  it("refuses production on an external database without APP_URL, rather than defaulting to localhost", () => {
    const server = {
      NODE_ENV: "production",
      AUTH_SECRET: strongSecret,
      DATABASE_URL: "postgres://db/x",
      JWT_PRIVATE_KEYS: "pem",
    };
    expect(() => loadConfig(server)).toThrow(/APP_URL must be set in production with DATABASE_URL/);
    expect(() => loadConfig({ ...server, APP_URL: "  " })).toThrow(/APP_URL/);
    const configured = loadConfig({ ...server, APP_URL: "https://onboarding.example.com" });
    expect(configured.APP_URL).toBe("https://onboarding.example.com");
    // Development and the embedded production start keep their zero-configuration default.
    expect(loadConfig({ DATABASE_URL: "postgres://db/x" }).APP_URL).toBe("http://localhost:3000");
    expect(loadConfig({ NODE_ENV: "production", AUTH_SECRET: strongSecret }).APP_URL).toBe("http://localhost:3000");
  });

  it("names the setting that is malformed", () => {
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DEFAULT_PARTNER_ID: "-1" })).toThrow(/DEFAULT_PARTNER_ID/);
  });

  it("derives APP_URL from PORT and strips a trailing slash", () => {
    expect(loadConfig({ PORT: "3100" }).APP_URL).toBe("http://localhost:3100");
    expect(loadConfig({ APP_URL: "https://onboarding.example.com/" }).APP_URL).toBe("https://onboarding.example.com");
  });

  it("has no live KYC provider without SUMSUB_APP_TOKEN, and a labelled development webhook secret for the sandbox", () => {
    expect(loadConfig({})).toMatchObject({
      sumsubConfigured: false,
      sumsubWebhookSecret: DEVELOPMENT_SUMSUB_WEBHOOK_SECRET,
      SUMSUB_BASE_URL: "https://api.sumsub.com",
      SUMSUB_LEVEL_NAME: "basic-kyc-level",
    });
    expect(loadConfig({ SUMSUB_APP_TOKEN: "sbx:t", SUMSUB_SECRET_KEY: "k", SUMSUB_WEBHOOK_SECRET: "w" })).toMatchObject(
      { sumsubConfigured: true, sumsubWebhookSecret: "w" },
    );
  });

  it("refuses production with Sumsub but no webhook secret or key, or with the development webhook secret", () => {
    const prod = { NODE_ENV: "production", AUTH_SECRET: strongSecret };
    expect(() => loadConfig({ ...prod, SUMSUB_APP_TOKEN: "t", SUMSUB_SECRET_KEY: "k" })).toThrow(
      /SUMSUB_WEBHOOK_SECRET/,
    );
    expect(() => loadConfig({ ...prod, SUMSUB_APP_TOKEN: "t", SUMSUB_WEBHOOK_SECRET: "w" })).toThrow(
      /SUMSUB_SECRET_KEY/,
    );
    expect(() => loadConfig({ ...prod, SUMSUB_WEBHOOK_SECRET: DEVELOPMENT_SUMSUB_WEBHOOK_SECRET })).toThrow(
      /SUMSUB_WEBHOOK_SECRET/,
    );
    expect(
      loadConfig({ ...prod, SUMSUB_APP_TOKEN: "t", SUMSUB_SECRET_KEY: "k", SUMSUB_WEBHOOK_SECRET: "w" })
        .sumsubConfigured,
    ).toBe(true);
    // A production sandbox (a staging deploy) derives its webhook secret from AUTH_SECRET, never the development default.
    const sandbox = loadConfig(prod);
    expect(sandbox.sumsubConfigured).toBe(false);
    expect(sandbox.sumsubWebhookSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(sandbox.sumsubWebhookSecret).not.toBe(DEVELOPMENT_SUMSUB_WEBHOOK_SECRET);
  });
});
