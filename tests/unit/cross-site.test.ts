import { describe, expect, it } from "vitest";
import { isCrossSite } from "../../server/http/cross-site";

const APP_URL = "https://back.example.com";

function request(headers: Record<string, string>, url = "https://back.example.com/api/trpc/partner.suspend") {
  return new Request(url, { method: "POST", headers });
}

describe("isCrossSite (the back office's CSRF check)", () => {
  it.each([
    ["a foreign Origin", { origin: "https://evil.example.net" }],
    ["a sibling subdomain's Origin", { origin: "https://evil.example.com" }],
    ["another scheme of the same host", { origin: "http://back.example.com" }],
    ["another port of the same host", { origin: "https://back.example.com:8443" }],
    ["Origin: null (sandboxed frame, data: URL)", { origin: "null" }],
    ["Sec-Fetch-Site: cross-site without Origin", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site without Origin", { "sec-fetch-site": "same-site" }],
    ["Sec-Fetch-Site: cross-site with our own Origin", { "sec-fetch-site": "cross-site", origin: APP_URL }],
    [
      "a foreign Origin that names the host it was sent to over another scheme",
      { origin: "http://back.example.com", host: "back.example.com", "x-forwarded-proto": "https" },
    ],
    ["a foreign Origin whatever the Host", { origin: "https://evil.example.net", host: "back.example.com" }],
  ])("refuses %s", (_name, headers) => {
    expect(isCrossSite(request(headers), APP_URL)).toBe(true);
  });

  it.each([
    ["the back office's own fetch", { origin: APP_URL, "sec-fetch-site": "same-origin" }],
    ["our Origin from a browser that sends no Sec-Fetch-Site", { origin: APP_URL }],
    [
      "the request's own origin behind a proxy that rewrites the host",
      { origin: "http://10.0.0.5:3000" },
      "http://10.0.0.5:3000/api/trpc/partner.list",
    ],
    ["a typed address (Sec-Fetch-Site: none)", { "sec-fetch-site": "none" }],
    ["a non-browser client with neither header", {}],
    ["a browser's Sec-Fetch-Site: same-origin", { "sec-fetch-site": "same-origin", origin: "http://127.0.0.1:3000" }],
    [
      "the address the browser used, not APP_URL's (dev at 127.0.0.1, APP_URL at localhost)",
      { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" },
      "http://localhost:3000/clients",
    ],
    [
      "the public name behind a TLS proxy",
      { origin: "https://ops.example.org", "x-forwarded-host": "ops.example.org", "x-forwarded-proto": "https" },
      "http://localhost:3000/clients",
    ],
  ])("lets through %s", (_name, headers, url?: string) => {
    expect(isCrossSite(request(headers, url), APP_URL)).toBe(false);
  });
});
