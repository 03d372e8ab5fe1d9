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
  ])("refuses %s", (_name, headers) => {
    expect(isCrossSite(request(headers), APP_URL)).toBe(true);
  });

  it.each([
    ["the back office's own fetch", { origin: APP_URL, "sec-fetch-site": "same-origin" }],
    ["our Origin from a browser that sends no Sec-Fetch-Site", { origin: APP_URL }],
    ["the request's own origin behind a proxy that rewrites the host", { origin: "http://10.0.0.5:3000" }, "http://10.0.0.5:3000/api/trpc/partner.list"],
    ["a typed address (Sec-Fetch-Site: none)", { "sec-fetch-site": "none" }],
    ["a non-browser client with neither header", {}],
  ])("lets through %s", (_name, headers, url?: string) => {
    expect(isCrossSite(request(headers, url), APP_URL)).toBe(false);
  });
});
