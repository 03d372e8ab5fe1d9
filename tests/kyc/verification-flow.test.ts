import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditEvents, clients, kycEvents, kycVerifications, partners } from "../../db/schema";
import { config } from "../../env";
import { missingKycProviderWarning } from "../../server/kyc/provider";
import { decisionSchema, formatCreatedAtMs } from "../../server/kyc/schemas";
import { decideVerification, getVerificationHistory, listReviewQueue } from "../../server/kyc/review";
import {
  getSandboxApplicant,
  issueSandboxToken,
  sandboxActionSchema,
  submitSandboxAction,
  type SandboxActionInput,
} from "../../server/kyc/sandbox-provider";
import { payloadDigest } from "../../server/kyc/signing";
import {
  codeIn,
  createTestPartner,
  latestEmailTo,
  STRONG_PARTNER_PASSWORD,
  uniqueEmail,
  useApi,
  whiteLabelBody,
  type ApiResponse,
  type TestPartner,
} from "../support/api";
import { anonymousCaller, staffCaller } from "../support/caller";
import { callerFor, createTestStaff } from "../support/staff";

const api = useApi();

interface TestClient {
  id: string;
  auth: Record<string, string>;
}

async function partnerApiClient(partner: TestPartner): Promise<TestClient> {
  const email = uniqueEmail("kyc");
  const headers = { partnerId: String(partner.id) };
  expect((await api.post("/reg/user", { email, password: STRONG_PARTNER_PASSWORD }, headers)).status).toBe(202);
  const code = partner.sandbox ? "12345" : codeIn((await latestEmailTo(email))?.text);
  const done = await api.post(
    "/reg/user",
    { email, password: STRONG_PARTNER_PASSWORD, emailConfirmCode: code },
    headers,
  );
  expect(done.status).toBe(201);
  return { id: done.body.user_id.slice(4), auth: { authorization: `Bearer ${done.body.access_token}` } };
}

async function whiteLabelClient(partner: TestPartner): Promise<TestClient> {
  const res = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
  expect(res.status).toBe(201);
  return { id: res.body.clientId, auth: { authorization: `Bearer ${res.body.token}` } };
}

const start = (c: TestClient, body: unknown = { type: "SUMSUB" }) => api.post("/reg/verification", body, c.auth);
const state = (c: TestClient) => api.get("/reg/verification", c.auth);
const sandbox = (token: string, input: Omit<SandboxActionInput, "token">) =>
  submitSandboxAction(anonymousCaller(), sandboxActionSchema.parse({ token, ...input }));

/** Posts a webhook signed with this instance's webhook secret (or a given digest). */
function webhook(payload: unknown, o: { algorithm?: string | null; digest?: string | null } = {}) {
  const raw = typeof payload === "string" ? payload : JSON.stringify(payload);
  const algorithm = o.algorithm === undefined ? "HMAC_SHA256_HEX" : o.algorithm;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (algorithm !== null) headers["x-payload-digest-alg"] = algorithm;
  const digest =
    o.digest === undefined ? payloadDigest(config().sumsubWebhookSecret, "HMAC_SHA256_HEX", raw) : o.digest;
  if (digest !== null) headers["x-payload-digest"] = digest;
  return api.post("/api/webhooks/sumsub", raw, headers);
}

function reviewed(
  applicantId: string,
  clientId: string,
  createdAtMs: number,
  result: Record<string, unknown>,
  correlationId = `corr-${createdAtMs}`,
) {
  return {
    type: "applicantReviewed",
    applicantId,
    externalUserId: clientId,
    correlationId,
    levelName: "basic-kyc-level",
    reviewStatus: "completed",
    createdAtMs: formatCreatedAtMs(createdAtMs),
    reviewResult: result,
  };
}

async function clientRow(id: string) {
  const [row] = await getDb()
    .select({ status: clients.verificationStatus, level: clients.verificationLevel })
    .from(clients)
    .where(eq(clients.id, id));
  return row!;
}

async function auditActions(clientId: string) {
  const rows = await getDb()
    .select({ action: auditEvents.action, actorType: auditEvents.actorType, actorId: auditEvents.actorId })
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, "client"), eq(auditEvents.entityId, clientId)))
    .orderBy(auditEvents.id);
  return rows.filter((r) => r.action.startsWith("kyc."));
}

function expectError(res: ApiResponse, status: number, code: string, paths: string[] = []) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code, requestId: res.headers.get("x-request-id") });
  expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(paths));
}

describe("KYC through the sandbox provider", () => {
  it("takes a partner-API client from POST /reg/verification to identified at the partner's approved level", async () => {
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: 4 });
    const client = await partnerApiClient(partner);
    expect((await state(client)).body).toMatchObject({
      status: "not_started",
      provider: null,
      canSubmit: true,
      verificationStatus: "email_verified",
    });

    const started = await start(client);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({
      type: "SUMSUB",
      provider: "SANDBOX",
      userId: client.id,
      levelName: config().SUMSUB_LEVEL_NAME,
      expiresIn: expect.any(Number),
    });
    expect(started.body.applicantId).toMatch(/^sandbox-[0-9a-f]{24}$/);
    expect(started.body.sandboxUrl).toBe(`${config().APP_URL}/kyc-sandbox/${started.body.token}`);
    expect(await getSandboxApplicant(started.body.token)).toMatchObject({
      clientId: client.id,
      applicantId: started.body.applicantId,
      partnerId: partner.id,
      reviewStatus: "init",
    });
    expect((await state(client)).body).toMatchObject({
      status: "init",
      provider: "SANDBOX",
      applicantId: started.body.applicantId,
      canSubmit: true,
    });

    // A second call gives a fresh token for the same applicant.
    const again = await start(client);
    expect(again.body.applicantId).toBe(started.body.applicantId);

    expect(await sandbox(started.body.token, { action: "submit" })).toEqual({ ok: true, result: "applied" });
    expect((await state(client)).body).toMatchObject({ status: "pending", answer: null });
    expect(await sandbox(started.body.token, { action: "approve" })).toEqual({ ok: true, result: "applied" });

    const after = await state(client);
    expect(after.body).toMatchObject({
      status: "completed",
      answer: "GREEN",
      rejectType: null,
      canSubmit: false,
      verificationStatus: "identified",
      verificationLevel: 4,
    });
    expect(await clientRow(client.id)).toEqual({ status: "identified", level: 4 });
    expect(await auditActions(client.id)).toEqual([
      { action: "kyc.applicant_created", actorType: "client", actorId: client.id },
      { action: "kyc.provider_verdict", actorType: "system", actorId: "kyc-sandbox" },
    ]);
    expectError(await start(client), 409, "verification_already_approved");
  });

  it("verifies a white-label client end to end the same way", async () => {
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: 2 });
    const client = await whiteLabelClient(partner);
    const started = await start(client);
    expect(started.status).toBe(200);
    await sandbox(started.body.token, { action: "approve" });
    expect((await state(client)).body).toMatchObject({
      status: "completed",
      answer: "GREEN",
      verificationStatus: "identified",
      verificationLevel: 2,
    });
    expect(await clientRow(client.id)).toEqual({ status: "identified", level: 2 });
  });

  it("RED RETRY lets the client submit again and shows the moderation comment but never the client comment; RED FINAL refuses", async () => {
    const partner = await createTestPartner({ sandbox: true });
    const client = await whiteLabelClient(partner);
    const started = await start(client);
    await sandbox(started.body.token, {
      action: "reject",
      rejectType: "RETRY",
      labels: ["UNSATISFACTORY_PHOTOS"],
      moderationComment: "Please upload a sharper photo",
      clientComment: "internal-note-7f3a",
    });

    const retry = await state(client);
    expect(retry.body).toMatchObject({
      status: "completed",
      answer: "RED",
      rejectType: "RETRY",
      rejectLabels: ["UNSATISFACTORY_PHOTOS"],
      moderationComment: "Please upload a sharper photo",
      canSubmit: true,
      verificationStatus: "not_verified",
    });
    expect(JSON.stringify(retry.body)).not.toContain("internal-note-7f3a");
    expect(retry.body).not.toHaveProperty("clientComment");

    const resubmit = await start(client);
    expect(resubmit.status).toBe(200);
    expect(resubmit.body.applicantId).toBe(started.body.applicantId);
    await sandbox(resubmit.body.token, { action: "submit" });
    await sandbox(resubmit.body.token, {
      action: "reject",
      rejectType: "FINAL",
      labels: ["FORGERY"],
      clientComment: "forged",
    });

    expect((await state(client)).body).toMatchObject({ answer: "RED", rejectType: "FINAL", canSubmit: false });
    expectError(await start(client), 409, "verification_rejected_final");
    const [row] = await getDb()
      .select({ clientComment: kycVerifications.clientComment })
      .from(kycVerifications)
      .where(eq(kycVerifications.clientId, client.id));
    expect(row?.clientComment).toBe("forged");
  });
});

describe("KYC for a live partner on an instance without Sumsub", () => {
  it("POST /reg/verification answers 503 kyc_unavailable without Retry-After, and nothing is created", async () => {
    const partner = await createTestPartner({ kycApprovedLevel: 3 });
    for (const client of [await partnerApiClient(partner), await whiteLabelClient(partner)]) {
      const res = await start(client);
      expectError(res, 503, "kyc_unavailable");
      expect(res.headers.get("retry-after")).toBeNull();
      expect(res.body.error.message).toMatch(/not available/);
      expect((await state(client)).body).toMatchObject({
        status: "not_started",
        provider: null,
        verificationStatus: expect.not.stringMatching("identified"),
      });
    }
  });

  it("the sandbox refuses a token for a live partner's client, and a sandbox verdict never makes it identified", async () => {
    const partner = await createTestPartner({ kycApprovedLevel: 3 });
    const client = await whiteLabelClient(partner);
    // As if the client had been handed a sandbox link (the behaviour before live partners were refused).
    const applicantId = `sandbox-live-${client.id.slice(0, 8)}`;
    await getDb().insert(kycVerifications).values({
      clientId: client.id,
      partnerId: partner.id,
      provider: "SANDBOX",
      applicantId,
      levelName: "basic-kyc-level",
      reviewStatus: "init",
    });
    const token = issueSandboxToken({
      applicantId,
      externalUserId: client.id,
      levelName: "basic-kyc-level",
      ttlSeconds: 600,
    });
    await expect(getSandboxApplicant(token)).rejects.toMatchObject({ code: "invalid_token" });
    await expect(sandbox(token, { action: "approve" })).rejects.toMatchObject({ code: "invalid_token" });
    // Even a correctly signed verdict for that applicant changes nothing: sandbox verdicts count for sandbox partners only.
    const res = await webhook(reviewed(applicantId, client.id, Date.now(), { reviewAnswer: "GREEN" }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, result: "ignored" });
    expect(await clientRow(client.id)).toEqual({ status: "not_verified", level: 0 });
  });

  it("a start without Sumsub warns once, naming the live partners (and not the sandbox ones)", async () => {
    const sandboxed = await createTestPartner({ sandbox: true });
    const live = await createTestPartner();
    const warning = await missingKycProviderWarning(getDb());
    expect(warning).toMatch(/Sumsub is not configured/);
    expect(warning).toContain(`${live.id} (${live.name})`);
    expect(warning).not.toContain(`${sandboxed.id} (${sandboxed.name})`);
  });

  it("a sandbox partner made live loses its sandbox: a link handed out before no longer approves anyone", async () => {
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: 3 });
    const client = await whiteLabelClient(partner);
    const started = await start(client);
    expect(started.body).toMatchObject({ provider: "SANDBOX" });
    await getDb().update(partners).set({ sandbox: false }).where(eq(partners.id, partner.id));
    await expect(sandbox(started.body.token, { action: "approve" })).rejects.toMatchObject({ code: "invalid_token" });
    expect(await clientRow(client.id)).toEqual({ status: "not_verified", level: 0 });
    expectError(await start(client), 503, "kyc_unavailable");
  });
});

describe("POST /api/webhooks/sumsub", () => {
  async function startedClient(level = 3) {
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: level });
    const client = await whiteLabelClient(partner);
    const started = await start(client);
    expect(started.status).toBe(200);
    return { client, applicantId: started.body.applicantId as string };
  }

  it("refuses a forged webhook (bad digest), changes nothing and audits the refusal", async () => {
    const { client, applicantId } = await startedClient();
    const body = JSON.stringify(reviewed(applicantId, client.id, Date.now(), { reviewAnswer: "GREEN" }));
    const forged = await webhook(body, { digest: payloadDigest("not-the-webhook-secret", "HMAC_SHA256_HEX", body) });
    expectError(forged, 401, "webhook_signature_invalid", ["X-Payload-Digest"]);
    const missing = await webhook(body, { digest: null });
    expectError(missing, 401, "webhook_signature_invalid", ["X-Payload-Digest"]);

    expect((await state(client)).body).toMatchObject({
      status: "init",
      answer: null,
      verificationStatus: "not_verified",
    });
    expect(await clientRow(client.id)).toEqual({ status: "not_verified", level: 0 });
    const [events] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(kycEvents)
      .where(eq(kycEvents.clientId, client.id));
    expect(events?.n).toBe(0);

    const [audit] = await getDb()
      .select({ action: auditEvents.action, after: auditEvents.after, actorType: auditEvents.actorType })
      .from(auditEvents)
      .where(eq(auditEvents.requestId, forged.headers.get("x-request-id")!));
    expect(audit).toMatchObject({
      action: "kyc.webhook_signature_failed",
      actorType: "anonymous",
      after: { reason: "digest_mismatch", algorithm: "HMAC_SHA256_HEX" },
    });
  });

  it("refuses unknown and missing digest algorithms with 400, audited", async () => {
    const { client, applicantId } = await startedClient();
    const body = JSON.stringify(reviewed(applicantId, client.id, Date.now(), { reviewAnswer: "GREEN" }));
    const md5 = await webhook(body, { algorithm: "HMAC_MD5_HEX" });
    expectError(md5, 400, "webhook_digest_alg_unsupported", ["X-Payload-Digest-Alg"]);
    expectError(await webhook(body, { algorithm: null }), 400, "webhook_digest_alg_unsupported", [
      "X-Payload-Digest-Alg",
    ]);
    const [audit] = await getDb()
      .select({ action: auditEvents.action, after: auditEvents.after })
      .from(auditEvents)
      .where(eq(auditEvents.requestId, md5.headers.get("x-request-id")!));
    expect(audit).toMatchObject({
      action: "kyc.webhook_signature_failed",
      after: { reason: "algorithm_unsupported", algorithm: "HMAC_MD5_HEX" },
    });
    expect(await clientRow(client.id)).toEqual({ status: "not_verified", level: 0 });
  });

  it("accepts each digest algorithm Sumsub uses", async () => {
    for (const algorithm of ["HMAC_SHA1_HEX", "HMAC_SHA256_HEX", "HMAC_SHA512_HEX"] as const) {
      const { client, applicantId } = await startedClient();
      const body = JSON.stringify({
        type: "applicantPending",
        applicantId,
        externalUserId: client.id,
        createdAtMs: formatCreatedAtMs(Date.now()),
      });
      const res = await webhook(body, {
        algorithm,
        digest: payloadDigest(config().sumsubWebhookSecret, algorithm, body),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ ok: true, result: "applied" });
      expect((await state(client)).body.status).toBe("pending");
    }
  });

  it("treats a redelivered webhook as a no-op", async () => {
    const { client, applicantId } = await startedClient(3);
    const payload = reviewed(applicantId, client.id, Date.now(), { reviewAnswer: "GREEN" });
    expect((await webhook(payload)).body).toEqual({ ok: true, result: "applied" });
    expect(await clientRow(client.id)).toEqual({ status: "identified", level: 3 });

    // Staff lower the level by hand; a redelivery of the old verdict must not undo that.
    await getDb().update(clients).set({ verificationLevel: 1 }).where(eq(clients.id, client.id));
    const again = await webhook(payload);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ok: true, result: "duplicate" });
    // The same event with its keys in another order is the same event.
    const reordered = Object.fromEntries(Object.entries(payload).reverse());
    expect((await webhook(reordered)).body).toEqual({ ok: true, result: "duplicate" });

    expect(await clientRow(client.id)).toEqual({ status: "identified", level: 1 });
    const [events] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(kycEvents)
      .where(eq(kycEvents.clientId, client.id));
    expect(events?.n).toBe(1);
    expect((await auditActions(client.id)).filter((a) => a.action === "kyc.provider_verdict")).toHaveLength(1);
  });

  it("ignores an event older than the last applied one", async () => {
    const { client, applicantId } = await startedClient(3);
    const now = Date.now();
    const newer = await webhook(
      reviewed(applicantId, client.id, now, {
        reviewAnswer: "RED",
        reviewRejectType: "RETRY",
        rejectLabels: ["BAD_PHOTO"],
        moderationComment: "Try again",
      }),
    );
    expect(newer.body).toEqual({ ok: true, result: "applied" });
    const older = await webhook(reviewed(applicantId, client.id, now - 60_000, { reviewAnswer: "GREEN" }));
    expect(older.status).toBe(200);
    expect(older.body).toEqual({ ok: true, result: "stale" });
    const olderPending = await webhook({
      type: "applicantPending",
      applicantId,
      externalUserId: client.id,
      createdAtMs: now - 30_000,
    });
    expect(olderPending.body).toEqual({ ok: true, result: "stale" });

    expect((await state(client)).body).toMatchObject({
      status: "completed",
      answer: "RED",
      rejectType: "RETRY",
      moderationComment: "Try again",
    });
    expect(await clientRow(client.id)).toEqual({ status: "not_verified", level: 0 });
    const outcomes = await getDb()
      .select({ outcome: kycEvents.outcome })
      .from(kycEvents)
      .where(eq(kycEvents.clientId, client.id))
      .orderBy(kycEvents.id);
    expect(outcomes.map((o) => o.outcome)).toEqual(["applied", "stale", "stale"]);
  });

  it("acknowledges untracked types and unknown applicants without changing anything", async () => {
    const { client, applicantId } = await startedClient();
    expect((await webhook({ type: "applicantTagsChanged", applicantId, createdAtMs: Date.now() })).body).toEqual({
      ok: true,
      result: "ignored",
    });
    expect(
      (await webhook(reviewed("no-such-applicant", "not-a-uuid", Date.now(), { reviewAnswer: "GREEN" }))).body,
    ).toEqual({ ok: true, result: "ignored" });
    expect((await state(client)).body.status).toBe("init");
  });

  it("answers bad input with 4xx JSON naming the field, never 500", async () => {
    const { client, applicantId } = await startedClient();
    expectError(await webhook("{not json"), 400, "invalid_json");
    expectError(await webhook({ type: "applicantReviewed", createdAtMs: Date.now() }), 422, "validation_failed", [
      "applicantId",
    ]);
    expectError(
      await webhook({ type: "applicantReviewed", applicantId, createdAtMs: Date.now() }),
      422,
      "validation_failed",
      ["reviewResult"],
    );
    expectError(
      await webhook({ type: "applicantPending", applicantId, createdAtMs: "yesterday" }),
      422,
      "validation_failed",
      ["createdAtMs"],
    );
    expectError(
      await webhook(reviewed(applicantId, client.id, Date.now(), { reviewAnswer: "AMBER" })),
      422,
      "validation_failed",
      ["reviewResult.reviewAnswer"],
    );
    expectError(await webhook([1, 2]), 422, "validation_failed");
    // The body limit applies to the raw webhook body too.
    expectError(
      await webhook({
        type: "applicantPending",
        applicantId,
        createdAtMs: Date.now(),
        padding: "x".repeat(config().BODY_LIMIT_BYTES),
      }),
      413,
      "payload_too_large",
    );

    expectError(await start(client, { type: "ONFIDO" }), 422, "validation_failed", ["type"]);
    expectError(await start(client, {}), 422, "validation_failed", ["type"]);
    expectError(
      await api.post("/reg/verification", "{oops", { ...client.auth, "content-type": "application/json" }),
      400,
      "invalid_json",
    );
    expectError(await api.post("/reg/verification", { type: "SUMSUB" }), 401, "unauthorized", ["Authorization"]);
    expectError(await api.get("/reg/verification", { authorization: "Bearer not-a-jwt" }), 401, "invalid_token");
    expect((await state(client)).body.status).toBe("init");
  });
});

describe("staff decisions and the review queue", () => {
  it("go through the same transition as provider verdicts, audited with the staff actor, within the staff member's scope", async () => {
    const operations = await createTestStaff("operations");
    const kam = await createTestStaff("kam");
    const partner = await createTestPartner({ sandbox: true, kycApprovedLevel: 5 });
    const client = await whiteLabelClient(partner);
    const started = await start(client);
    await sandbox(started.body.token, { action: "submit" });

    const ops = await staffCaller(operations);
    const queue = await listReviewQueue(ops, { partnerId: partner.id, limit: 50 });
    expect(queue.items).toEqual([
      expect.objectContaining({
        clientId: client.id,
        partnerId: partner.id,
        partnerName: partner.name,
        queue: "pending",
        provider: "SANDBOX",
        waitingSince: expect.any(Date),
      }),
    ]);
    // A KAM who does not own the partner sees nothing of it.
    expect(
      (await listReviewQueue(await staffCaller(kam), { limit: 50 })).items.some((i) => i.clientId === client.id),
    ).toBe(false);
    await expect(getVerificationHistory(await staffCaller(kam), { id: client.id })).rejects.toMatchObject({
      code: "not_found",
    });
    await getDb().update(partners).set({ ownerStaffId: kam.id }).where(eq(partners.id, partner.id));
    expect(
      (await listReviewQueue(await staffCaller(kam), { queue: "pending", limit: 50 })).items.map((i) => i.clientId),
    ).toContain(client.id);

    const decide = (input: unknown) => decideVerification(ops, decisionSchema.parse(input));
    const rejected = await decide({
      clientId: client.id,
      decision: "reject",
      rejectType: "RETRY",
      labels: ["BAD_PHOTO"],
      moderationComment: "Retake the selfie",
      clientComment: "staff-only",
    });
    expect(rejected).toMatchObject({
      outcome: "applied",
      state: { reviewStatus: "completed", reviewAnswer: "RED", rejectType: "RETRY" },
    });
    expect(
      (await listReviewQueue(ops, { partnerId: partner.id, queue: "retry", limit: 50 })).items.map((i) => i.clientId),
    ).toEqual([client.id]);
    expect((await state(client)).body).toMatchObject({
      answer: "RED",
      rejectType: "RETRY",
      moderationComment: "Retake the selfie",
      canSubmit: true,
    });

    const approved = await decide({ clientId: client.id, decision: "approve" });
    expect(approved).toMatchObject({ verificationStatus: "identified", verificationLevel: 5 });
    expect((await listReviewQueue(ops, { partnerId: partner.id, limit: 50 })).items).toEqual([]);
    await expect(decide({ clientId: client.id, decision: "approve" })).rejects.toMatchObject({ code: "conflict" });
    // The procedure checks the decision before the service sees it.
    await expect(callerFor(operations).kyc.decide({ clientId: client.id, decision: "reject" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      cause: { name: "ZodError" },
    });

    const history = await getVerificationHistory(ops, { id: client.id });
    expect(history.verification).toMatchObject({
      provider: "SANDBOX",
      reviewAnswer: "GREEN",
      decidedBy: { id: operations.id, email: operations.email },
    });
    expect(history.events.map((e) => [e.source, e.eventType, e.reviewAnswer, e.staff?.id ?? null])).toEqual([
      ["staff", "applicantReviewed", "GREEN", operations.id],
      ["staff", "applicantReviewed", "RED", operations.id],
      ["provider", "applicantPending", null, null],
    ]);
    expect(history.events[1]).toMatchObject({ clientComment: "staff-only", rejectLabels: ["BAD_PHOTO"] });
    expect((await auditActions(client.id)).filter((a) => a.action === "kyc.staff_decision")).toEqual([
      { action: "kyc.staff_decision", actorType: "staff", actorId: operations.id },
      { action: "kyc.staff_decision", actorType: "staff", actorId: operations.id },
    ]);
  });

  it("lets staff decide a client who never started a verification (a MANUAL verification)", async () => {
    const admin = await createTestStaff("admin");
    const partner = await createTestPartner({ kycApprovedLevel: 2 });
    const client = await whiteLabelClient(partner);
    await decideVerification(
      await staffCaller(admin),
      decisionSchema.parse({ clientId: client.id, decision: "approve", labels: [] }),
    );
    expect((await state(client)).body).toMatchObject({
      provider: "MANUAL",
      status: "completed",
      answer: "GREEN",
      verificationStatus: "identified",
      verificationLevel: 2,
    });
  });
});
