import { expect, test } from "@playwright/test";

const PAGES_AND_ENDPOINTS = ["/login", "/docs", "/api/health", "/.well-known/jwks.json", "/api/openapi.json", "/reg/subscription"];

test("every page and API response carries the security headers of a production build", async ({ request }) => {
  for (const path of PAGES_AND_ENDPOINTS) {
    const res = await request.get(path, { maxRedirects: 0 });
    const headers = res.headers();
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["cross-origin-opener-policy"], path).toBe("same-origin");
    expect(headers["permissions-policy"], path).toContain("camera=()");
    expect(headers["strict-transport-security"], path).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    expect(headers["x-powered-by"], path).toBeUndefined();
  }
});
