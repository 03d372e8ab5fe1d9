import { and, eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, staffUsers } from "../../db/schema";
import { openSecret, sealSecret } from "../../server/crypto";
import { AppError } from "../../server/errors";
import { confirmTotpEnrollment, startTotpEnrollment } from "../../server/staff/account";
import { loadStaffForSession } from "../../server/staff/sessions";
import { signInStaff } from "../../server/staff/sign-in";
import { currentTotp } from "../../server/staff/totp";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

/** A valid 6-digit code that is not the current one (nor one step either side). */
function wrongCode(secret: string): string {
  return String((Number(currentTotp(secret)) + 500_000) % 1_000_000).padStart(6, "0");
}

async function storedSecret(id: string): Promise<string | null> {
  const [row] = await getDb()
    .select({ totpSecret: staffUsers.totpSecret })
    .from(staffUsers)
    .where(eq(staffUsers.id, id));
  return row!.totpSecret;
}

describe("sealed secrets", () => {
  it("round-trips, differs on every seal, and refuses tampering or another purpose", () => {
    const a = sealSecret("staff-totp", "JBSWY3DPEHPK3PXP");
    const b = sealSecret("staff-totp", "JBSWY3DPEHPK3PXP");
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(openSecret("staff-totp", a)).toBe("JBSWY3DPEHPK3PXP");
    expect(openSecret("another-purpose", a)).toBeUndefined();
    const [prefix, iv, body, tag] = a.split(".");
    const flipped = Buffer.from(body!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    expect(openSecret("staff-totp", [prefix, iv, flipped.toString("base64url"), tag].join("."))).toBeUndefined();
    expect(openSecret("staff-totp", "JBSWY3DPEHPK3PXP")).toBeUndefined();
  });
});

describe("staff TOTP at rest", () => {
  it("stores the secret encrypted, and sign-in still checks codes against it", async () => {
    const staff = await createTestStaff("operations");
    const { secret } = await startTotpEnrollment(await staffCaller(staff));
    await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });

    const stored = await storedSecret(staff.id);
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret);

    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: wrongCode(secret) }),
    ).toEqual({ ok: false, reason: "totp_invalid" });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: currentTotp(secret) }),
    ).toMatchObject({ ok: true });
  });

  it("replacing an enrolled authenticator needs a code from the current one", async () => {
    const staff = await createTestStaff("operations");
    const first = (await startTotpEnrollment(await staffCaller(staff))).secret;
    await confirmTotpEnrollment(await staffCaller(staff), { secret: first, code: currentTotp(first) });
    const before = await storedSecret(staff.id);

    const second = (await startTotpEnrollment(await staffCaller(staff))).secret;
    const withoutCurrent = await confirmTotpEnrollment(await staffCaller(staff), {
      secret: second,
      code: currentTotp(second),
    }).catch((e: unknown) => e);
    expect(withoutCurrent).toBeInstanceOf(AppError);
    expect((withoutCurrent as AppError).fields).toMatchObject([{ path: "currentCode" }]);
    const wrongCurrent = await confirmTotpEnrollment(await staffCaller(staff), {
      secret: second,
      code: currentTotp(second),
      currentCode: wrongCode(first),
    }).catch((e: unknown) => e);
    expect((wrongCurrent as AppError).fields).toMatchObject([{ path: "currentCode" }]);
    expect(await storedSecret(staff.id)).toBe(before);

    await confirmTotpEnrollment(await staffCaller(staff), {
      secret: second,
      code: currentTotp(second),
      currentCode: currentTotp(first),
    });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: currentTotp(second) }),
    ).toMatchObject({ ok: true });
  });
});

describe("an admin resets a member's two-factor authentication", () => {
  it("clears the authenticator, ends the member's sessions, audits it, and refuses self-service and repeats", async () => {
    const admin = await createTestStaff("admin");
    const member = await createTestStaff("operations");
    const { secret } = await startTotpEnrollment(await staffCaller(member));
    await confirmTotpEnrollment(await staffCaller(member), { secret, code: currentTotp(secret) });
    expect(await loadStaffForSession({ staffId: member.id, sessionId: member.sessionId })).toBeDefined();

    await expect(callerFor(admin).staff.resetTotp({ staffId: admin.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await callerFor(admin).staff.resetTotp({ staffId: member.id })).toEqual({
      id: member.id,
      totpEnrolled: false,
    });

    expect(await storedSecret(member.id)).toBeNull();
    expect(await loadStaffForSession({ staffId: member.id, sessionId: member.sessionId })).toBeUndefined();
    expect(await signInStaff(anonymousCaller(), { email: member.email, password: member.password })).toMatchObject({
      ok: true,
    });
    const audits = await getDb()
      .select({ actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, member.id), eq(auditEvents.action, "staff.totp_reset")));
    expect(audits).toEqual([{ actorId: admin.id }]);
    await expect(callerFor(admin).staff.resetTotp({ staffId: member.id })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("TOTP codes are single use", () => {
  it("refuses the same code a second time, counting it as a failure, and accepts the next step's code", async () => {
    const staff = await createTestStaff("operations");
    const { secret } = await startTotpEnrollment(await staffCaller(staff));
    await confirmTotpEnrollment(await staffCaller(staff), { secret, code: currentTotp(secret) });
    const code = currentTotp(secret);

    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: code }),
    ).toMatchObject({ ok: true });
    const [first, second] = await Promise.all([
      signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: code }),
      signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: code }),
    ]);
    expect([first, second]).toEqual([
      { ok: false, reason: "totp_invalid" },
      { ok: false, reason: "totp_invalid" },
    ]);
    const failures = await getDb()
      .select({ after: auditEvents.after })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, staff.id), eq(auditEvents.action, "staff.sign_in_failed")));
    expect(failures.filter((f) => (f.after as { reason?: string } | null)?.reason === "totp_reused")).toHaveLength(2);

    const nextStep = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + 30_000 });
    expect(
      await signInStaff(anonymousCaller(), { email: staff.email, password: staff.password, totp: nextStep }),
    ).toMatchObject({ ok: true });
  });
});
