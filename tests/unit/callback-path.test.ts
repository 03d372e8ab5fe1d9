import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "../../server/auth/callback-path";

describe("where the sign-in page sends staff afterwards", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeCallbackPath("/clients")).toBe("/clients");
    expect(safeCallbackPath("/clients?q=jane%20doe&sort=email_asc")).toBe("/clients?q=jane%20doe&sort=email_asc");
  });

  it("sends anything that leaves the site to the overview", () => {
    for (const hostile of ["https://evil.example", "//evil.example", "/\\evil.example", "evil.example", ""])
      expect(safeCallbackPath(hostile), hostile).toBe("/overview");
  });

  // wapiti found this: a newline reached the redirect's Location header and the page answered 500.
  it("refuses control characters and anything that cannot go into a Location header as it is", () => {
    for (const hostile of [
      "/clients\nenv;",
      "/clients\r\nSet-Cookie: a=b",
      "/clients\u0000",
      "/clients\t",
      "/clients page",
      "/clients/é",
    ])
      expect(safeCallbackPath(hostile), JSON.stringify(hostile)).toBe("/overview");
  });

  it("refuses a repeated parameter, which arrives as an array", () => {
    expect(safeCallbackPath(["/clients", "/staff"])).toBe("/overview");
    expect(safeCallbackPath(undefined)).toBe("/overview");
  });
});
