import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../server/errors";
import { SumsubClient } from "../../server/kyc/sumsub-client";

/**
 * The Sumsub client against a local stand-in for api.sumsub.com that checks
 * every request's signature the way Sumsub does, independently of the
 * client's own signing code.
 */
const APP_TOKEN = "sbx:contract-test-token";
const SECRET = "contract-test-secret";

interface Received {
  method: string;
  url: string;
  body: string;
  signatureOk: boolean;
}

let server: http.Server;
let baseUrl: string;
let received: Received[] = [];
let failNextWith: number | undefined;

function signatureOk(req: http.IncomingMessage, body: string): boolean {
  const ts = req.headers["x-app-access-ts"];
  const sig = req.headers["x-app-access-sig"];
  if (req.headers["x-app-token"] !== APP_TOKEN || typeof ts !== "string" || typeof sig !== "string") return false;
  if (!/^\d+$/.test(ts) || Math.abs(Number(ts) - Date.now() / 1000) > 60) return false;
  const expected = createHmac("sha256", SECRET)
    .update(ts + req.method + req.url + body)
    .digest("hex");
  return sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const ok = signatureOk(req, body);
      received.push({ method: req.method!, url: req.url!, body, signatureOk: ok });
      const send = (status: number, payload: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
      if (!ok)
        return send(401, {
          description: "Request signature mismatch",
          code: 401,
          errorCode: 4003,
          errorName: "app-token-signature mismatch",
        });
      if (failNextWith) {
        const status = failNextWith;
        failNextWith = undefined;
        return send(status, { description: "Unavailable", code: status });
      }
      const url = new URL(req.url!, "http://x");
      const path = url.pathname.replace(/^\/prefix/, "");
      if (req.method === "POST" && path === "/resources/applicants") {
        const { externalUserId } = JSON.parse(body) as { externalUserId: string };
        if (externalUserId.startsWith("existing"))
          return send(409, { description: "Applicant with external user id already exists", code: 409 });
        return send(201, {
          id: `app-${externalUserId}`,
          externalUserId,
          review: { reviewStatus: "init", levelName: url.searchParams.get("levelName") },
        });
      }
      if (req.method === "GET" && path.startsWith("/resources/applicants/-;externalUserId=")) {
        return send(200, {
          id: "app-found-by-external-id",
          externalUserId: decodeURIComponent(path.split("=")[1]!.replace(/\/one$/, "")),
        });
      }
      if (req.method === "POST" && path === "/resources/accessTokens/sdk") {
        const { userId, levelName, ttlInSecs } = JSON.parse(body) as {
          userId: string;
          levelName: string;
          ttlInSecs: number;
        };
        return send(200, { token: `_act-${userId}-${levelName}-${ttlInSecs}`, userId });
      }
      if (req.method === "GET" && path === "/resources/applicants/app-reviewed/one") {
        return send(200, {
          id: "app-reviewed",
          externalUserId: "u-1",
          review: {
            levelName: "basic-kyc-level",
            reviewStatus: "completed",
            reviewResult: {
              reviewAnswer: "RED",
              reviewRejectType: "RETRY",
              rejectLabels: ["UNSATISFACTORY_PHOTOS"],
              moderationComment: "Blurred photo",
              clientComment: "Screenshot",
            },
          },
        });
      }
      return send(404, { description: "Not found", code: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  failNextWith = undefined;
});

const client = (o: Partial<{ base: string; secret: string }> = {}) =>
  new SumsubClient({ baseUrl: o.base ?? baseUrl, appToken: APP_TOKEN, secretKey: o.secret ?? SECRET });

describe("Sumsub client (contract)", () => {
  it("creates an applicant with the level in the query and externalUserId in the body, every request signed", async () => {
    const { applicantId } = await client().createApplicant({
      externalUserId: "f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1",
      levelName: "basic kyc&level",
    });
    expect(applicantId).toBe("app-f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1");
    expect(received).toEqual([
      {
        method: "POST",
        url: "/resources/applicants?levelName=basic%20kyc%26level",
        body: '{"externalUserId":"f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1"}',
        signatureOk: true,
      },
    ]);
  });

  it("finds the existing applicant by externalUserId when Sumsub answers 409", async () => {
    const { applicantId } = await client().createApplicant({
      externalUserId: "existing-1",
      levelName: "basic-kyc-level",
    });
    expect(applicantId).toBe("app-found-by-external-id");
    expect(received.map((r) => [r.method, r.url, r.signatureOk])).toEqual([
      ["POST", "/resources/applicants?levelName=basic-kyc-level", true],
      ["GET", "/resources/applicants/-;externalUserId=existing-1/one", true],
    ]);
  });

  it("issues an SDK access token at POST /resources/accessTokens/sdk with userId, levelName and ttlInSecs", async () => {
    const { token } = await client().createAccessToken({
      externalUserId: "u-9",
      applicantId: "app-u-9",
      levelName: "basic-kyc-level",
      ttlSeconds: 600,
    });
    expect(token).toBe("_act-u-9-basic-kyc-level-600");
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: "POST", url: "/resources/accessTokens/sdk", signatureOk: true });
    expect(JSON.parse(received[0]!.body)).toEqual({ userId: "u-9", levelName: "basic-kyc-level", ttlInSecs: 600 });
  });

  it("reads an applicant's review", async () => {
    expect(await client().getApplicantReview("app-reviewed")).toEqual({
      applicantId: "app-reviewed",
      externalUserId: "u-1",
      levelName: "basic-kyc-level",
      reviewStatus: "completed",
      reviewResult: {
        reviewAnswer: "RED",
        rejectType: "RETRY",
        rejectLabels: ["UNSATISFACTORY_PHOTOS"],
        moderationComment: "Blurred photo",
        clientComment: "Screenshot",
      },
    });
    expect(received.every((r) => r.signatureOk)).toBe(true);
  });

  it("signs the full path when the base URL has a path prefix", async () => {
    await client({ base: `${baseUrl}/prefix/` }).createAccessToken({
      externalUserId: "u-2",
      applicantId: "a",
      levelName: "basic-kyc-level",
      ttlSeconds: 60,
    });
    expect(received).toEqual([
      expect.objectContaining({ url: "/prefix/resources/accessTokens/sdk", signatureOk: true }),
    ]);
  });

  it("turns Sumsub's refusals and outages into 503 service_unavailable (the stand-in refuses a wrong secret)", async () => {
    const wrong = await client({ secret: "not-the-secret" })
      .createAccessToken({ externalUserId: "u-3", applicantId: "a", levelName: "l", ttlSeconds: 60 })
      .catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AppError);
    expect(wrong).toMatchObject({ code: "service_unavailable", status: 503 });
    expect(received.map((r) => r.signatureOk)).toEqual([false]);

    received = [];
    failNextWith = 500;
    await expect(client().getApplicantReview("app-reviewed")).rejects.toMatchObject({ code: "service_unavailable" });
    expect(received.map((r) => r.signatureOk)).toEqual([true]);

    const down = new SumsubClient({
      baseUrl: "http://127.0.0.1:9",
      appToken: APP_TOKEN,
      secretKey: SECRET,
      timeoutMs: 2000,
    });
    await expect(down.createApplicant({ externalUserId: "u-4", levelName: "l" })).rejects.toMatchObject({
      code: "service_unavailable",
    });
  });
});
