import { describe, expect, it } from "vitest";
import { answersUncompressed } from "@/server/http/compression";

describe("answers left uncompressed", () => {
  it("are the public API's, in both flavours", () => {
    for (const path of [
      "/api/public/register",
      "/api/public/authenticate",
      "/api/token",
      "/api/health",
      "/api/webhooks/sumsub",
      "/.well-known/jwks.json",
      "/reg/createNewUser",
      "/oauth/token",
      "/wallet/balance",
      "/invoice/12",
    ])
      expect(answersUncompressed(path), path).toBe(true);
  });

  it("are not pages, assets, the back office's downloads or /metrics", () => {
    for (const path of [
      "/",
      "/login",
      "/clients",
      "/_next/static/chunks/app.js",
      "/api/trpc/client.list",
      "/api/clients/export",
      "/api/openapi.json",
      "/api/auth/session",
      "/api/imports",
      "/metrics",
      "/api/publicity",
      "/registry",
      "/invoices",
    ])
      expect(answersUncompressed(path), path).toBe(false);
  });
});
