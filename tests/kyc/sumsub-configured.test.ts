import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { clients } from "../../db/schema";
import { resetConfigForTests } from "../../env";
import { AppError } from "../../server/errors";
import {
  getSandboxApplicant,
  issueSandboxToken,
  sandboxActionSchema,
  submitSandboxAction,
} from "../../server/kyc/sandbox-provider";
import { missingKycProviderWarning } from "../../server/kyc/provider";
import { formatCreatedAtMs } from "../../server/kyc/schemas";
import { payloadDigest } from "../../server/kyc/signing";
import { createTestPartner, useApi, whiteLabelBody } from "../support/api";
import { anonymousCaller } from "../support/caller";

/** With Sumsub credentials configured, the same endpoints talk to Sumsub (here a local stand-in that checks signatures). */
const api = useApi();
const APP_TOKEN = "prd:configured-test";
const SECRET = "configured-secret-key";
const WEBHOOK_SECRET = "configured-webhook-secret";

let server: http.Server;
const received: Array<{ method: string; url: string; signatureOk: boolean }> = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const ts = String(req.headers["x-app-access-ts"]);
      const expected = createHmac("sha256", SECRET)
        .update(ts + req.method + req.url + body)
        .digest("hex");
      const signatureOk = req.headers["x-app-token"] === APP_TOKEN && req.headers["x-app-access-sig"] === expected;
      received.push({ method: req.method!, url: req.url!, signatureOk });
      const send = (status: number, payload: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (!signatureOk) return send(401, { description: "Request signature mismatch", code: 401 });
      if (req.url!.startsWith("/resources/applicants?"))
        return send(201, { id: `ss-${JSON.parse(body).externalUserId.slice(0, 8)}` });
      if (req.url === "/resources/accessTokens/sdk")
        return send(200, { token: "_act-configured", userId: JSON.parse(body).userId });
      return send(404, { description: "Not found", code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(process.env, {
    SUMSUB_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    SUMSUB_APP_TOKEN: APP_TOKEN,
    SUMSUB_SECRET_KEY: SECRET,
    SUMSUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SUMSUB_LEVEL_NAME: "id-and-liveness",
  });
  resetConfigForTests();
});

afterAll(async () => {
  for (const key of [
    "SUMSUB_BASE_URL",
    "SUMSUB_APP_TOKEN",
    "SUMSUB_SECRET_KEY",
    "SUMSUB_WEBHOOK_SECRET",
    "SUMSUB_LEVEL_NAME",
  ]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  resetConfigForTests();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("KYC with Sumsub configured", () => {
  it("creates the applicant and token at Sumsub with signed requests, and applies Sumsub's signed verdict", async () => {
    const partner = await createTestPartner({ kycApprovedLevel: 3 });
    const reg = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(partner.id) });
    const clientId: string = reg.body.clientId;
    const auth = { authorization: `Bearer ${reg.body.token}` };

    const started = await api.post("/reg/verification", { type: "SUMSUB" }, auth);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({
      provider: "SUMSUB",
      token: "_act-configured",
      userId: clientId,
      applicantId: `ss-${clientId.slice(0, 8)}`,
      levelName: "id-and-liveness",
      sandboxUrl: null,
    });
    expect(received).toEqual([
      { method: "POST", url: "/resources/applicants?levelName=id-and-liveness", signatureOk: true },
      { method: "POST", url: "/resources/accessTokens/sdk", signatureOk: true },
    ]);

    const body = JSON.stringify({
      type: "applicantReviewed",
      applicantId: started.body.applicantId,
      externalUserId: clientId,
      createdAtMs: formatCreatedAtMs(Date.now()),
      reviewResult: { reviewAnswer: "GREEN" },
    });
    const hook = await api.post("/api/webhooks/sumsub", body, {
      "content-type": "application/json",
      "x-payload-digest-alg": "HMAC_SHA512_HEX",
      "x-payload-digest": payloadDigest(WEBHOOK_SECRET, "HMAC_SHA512_HEX", body),
    });
    expect(hook.body).toEqual({ ok: true, result: "applied" });
    const [row] = await getDb()
      .select({ status: clients.verificationStatus, level: clients.verificationLevel })
      .from(clients)
      .where(eq(clients.id, clientId));
    expect(row).toEqual({ status: "identified", level: 3 });
  });

  it("gives no start-up warning about identity verification", async () => {
    await createTestPartner();
    expect(await missingKycProviderWarning(getDb())).toBeUndefined();
  });

  it("keeps the sandbox for sandbox partners only: a live client's sandbox token is refused and the real secret signs nothing for it", async () => {
    const sandboxPartner = await createTestPartner({ sandbox: true });
    const tester = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(sandboxPartner.id) });
    const sandboxStart = await api.post(
      "/reg/verification",
      { type: "SUMSUB" },
      { authorization: `Bearer ${tester.body.token}` },
    );
    expect(sandboxStart.body).toMatchObject({
      provider: "SANDBOX",
      sandboxUrl: expect.stringContaining("/kyc-sandbox/"),
    });

    const livePartner = await createTestPartner();
    const live = await api.post("/api/public/register", whiteLabelBody(), { partnerId: String(livePartner.id) });
    const liveStart = await api.post(
      "/reg/verification",
      { type: "SUMSUB" },
      { authorization: `Bearer ${live.body.token}` },
    );
    expect(liveStart.body).toMatchObject({ provider: "SUMSUB", sandboxUrl: null });
    const forged = issueSandboxToken({
      applicantId: liveStart.body.applicantId,
      externalUserId: live.body.clientId,
      levelName: "id-and-liveness",
      ttlSeconds: 600,
    });
    const refused = await submitSandboxAction(
      anonymousCaller(),
      sandboxActionSchema.parse({ token: forged, action: "approve" }),
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("invalid_token");
    await expect(getSandboxApplicant("anything")).rejects.toMatchObject({ code: "invalid_token" });
    const [row] = await getDb()
      .select({ status: clients.verificationStatus })
      .from(clients)
      .where(eq(clients.id, live.body.clientId));
    expect(row!.status).toBe("not_verified");
  });
});
