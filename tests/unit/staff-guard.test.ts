import { describe, expect, it } from "vitest";
import { isRefusal, refusalError, refusalRedirect, requireStaff } from "../../server/auth/guard";

const member = {
  id: "6f1c1f9e-8f55-4c4f-9b0e-0d1f6f4b7a10",
  email: "ops@staff.test",
  name: "Ops",
  role: "operations" as const,
  sessionId: "0b5e3a3c-52a4-4b1e-8a5c-9f0e1d2c3b4a",
  mustEnrollTotp: false,
};

describe("the staff guard", () => {
  it("lets a signed-in member through, and refuses a role the place is not for", () => {
    expect(requireStaff(member)).toBe(member);
    expect(requireStaff(member, { roles: ["admin", "operations"] })).toBe(member);
    const refused = requireStaff(member, { roles: ["admin"] });
    expect(refused).toMatchObject({ kind: "forbidden" });
    expect(isRefusal(refused) && refusalError(refused)).toMatchObject({ code: "forbidden", status: 403 });
  });

  it("sends the signed-out to sign in, and back to the path they asked for", () => {
    const refused = requireStaff(undefined, { path: "/clients?q=a&sort=email_asc" });
    expect(refused).toMatchObject({ kind: "signed-out" });
    if (!isRefusal(refused)) throw new Error("expected a refusal");
    expect(refusalRedirect(refused)).toBe(`/login?callbackUrl=${encodeURIComponent("/clients?q=a&sort=email_asc")}`);
    expect(refusalError(refused)).toMatchObject({ code: "unauthorized", status: 401 });
    const nowhere = requireStaff(undefined);
    expect(isRefusal(nowhere) && refusalRedirect(nowhere)).toBe("/login");
  });

  it("keeps a member who must enrol in TOTP to the account pages, before any role check", () => {
    const enrolling = { ...member, mustEnrollTotp: true };
    const refused = requireStaff(enrolling, { roles: ["admin"] });
    expect(refused).toMatchObject({ kind: "must-enroll-totp" });
    if (!isRefusal(refused)) throw new Error("expected a refusal");
    expect(refusalRedirect(refused)).toBe("/account/security");
    expect(refusalError(refused)).toMatchObject({ code: "forbidden" });
    expect(requireStaff(enrolling, { allowWhileEnrolling: true })).toBe(enrolling);
  });
});
