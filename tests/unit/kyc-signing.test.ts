import { describe, expect, it } from "vitest";
import { payloadDigest, signSumsubRequest, sumsubSignature, verifyPayloadDigest } from "../../server/kyc/signing";

describe("Sumsub request signing", () => {
  // Expected values computed independently with openssl, e.g.:
  //   printf '%s' '1700000000POST/resources/applicants?levelName=basic-kyc-level{"externalUserId":"f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1"}' \
  //     | openssl dgst -sha256 -hmac 'sumsub-test-secret' -hex
  it("signs ts + METHOD + path with query + body with HMAC-SHA256 (lower-case hex)", () => {
    const body = '{"externalUserId":"f2e6948d-cb6a-4a6a-beb8-94c5a2a1f0e1"}';
    expect(
      sumsubSignature(
        "sumsub-test-secret",
        1700000000,
        "post",
        "/resources/applicants?levelName=basic-kyc-level",
        body,
      ),
    ).toBe("898a74fac1410646e10ccd7d473ddb247675341c1835b01d3bfc2fc1bccd8ec7");
    expect(
      signSumsubRequest({
        appToken: "sbx:app",
        secret: "sumsub-test-secret",
        method: "POST",
        pathWithQuery: "/resources/applicants?levelName=basic-kyc-level",
        body,
        ts: 1700000000,
      }),
    ).toEqual({
      "X-App-Token": "sbx:app",
      "X-App-Access-Ts": "1700000000",
      "X-App-Access-Sig": "898a74fac1410646e10ccd7d473ddb247675341c1835b01d3bfc2fc1bccd8ec7",
    });
  });

  it("signs a GET without a body", () => {
    // printf '%s' '1700000000GET/resources/applicants/5cb56e8e0a975a35f333cb83/one' | openssl dgst -sha256 -hmac 'sumsub-test-secret' -hex
    expect(
      sumsubSignature("sumsub-test-secret", "1700000000", "GET", "/resources/applicants/5cb56e8e0a975a35f333cb83/one"),
    ).toBe("13689b4d1d8def85fb85a36b74b2d626889aab93759560eb0b99d3e4aed1892c");
  });
});

describe("webhook digest (X-Payload-Digest)", () => {
  const secret = "webhook-test-secret";
  const body = '{"type":"applicantReviewed","applicantId":"a1"}';
  // printf '%s' "$body" | openssl dgst -sha1|-sha256|-sha512 -hmac 'webhook-test-secret' -hex
  const vectors = {
    HMAC_SHA1_HEX: "9de2a31f5aa80d89dc7ca89e21074c094ff85de5",
    HMAC_SHA256_HEX: "bb5496fe2487119758bc94f93c5fe57f8afbdb59753df32d148dfb10a00a8871",
    HMAC_SHA512_HEX:
      "7170dddc3a12f2406292ed40ae5e982d28417728d5cd262ef781c988cbe5469361b33871dab854530ec24252d1e03c6d2b7d43ac69473abf95dd427313ca745e",
  } as const;

  for (const [algorithm, digest] of Object.entries(vectors)) {
    it(`accepts ${algorithm} over the raw body and refuses it over any other body`, () => {
      expect(payloadDigest(secret, algorithm as keyof typeof vectors, body)).toBe(digest);
      expect(verifyPayloadDigest(secret, body, digest, algorithm)).toEqual({ ok: true, algorithm });
      expect(verifyPayloadDigest(secret, body, digest.toUpperCase(), algorithm)).toEqual({ ok: true, algorithm });
      expect(verifyPayloadDigest(secret, `${body} `, digest, algorithm)).toEqual({
        ok: false,
        reason: "digest_mismatch",
      });
      expect(verifyPayloadDigest("another-secret", body, digest, algorithm)).toEqual({
        ok: false,
        reason: "digest_mismatch",
      });
    });
  }

  it("refuses unknown or missing algorithms and missing, short or wrong digests", () => {
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA256_HEX, "HMAC_MD5_HEX")).toEqual({
      ok: false,
      reason: "algorithm_unsupported",
    });
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA256_HEX, "hmac_sha256_hex")).toEqual({
      ok: false,
      reason: "algorithm_unsupported",
    });
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA256_HEX, "__proto__")).toEqual({
      ok: false,
      reason: "algorithm_unsupported",
    });
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA256_HEX, null)).toEqual({
      ok: false,
      reason: "algorithm_missing",
    });
    expect(verifyPayloadDigest(secret, body, null, "HMAC_SHA256_HEX")).toEqual({ ok: false, reason: "digest_missing" });
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA256_HEX.slice(0, 40), "HMAC_SHA256_HEX")).toEqual({
      ok: false,
      reason: "digest_mismatch",
    });
    // The SHA-1 digest of the right body, presented as SHA-256.
    expect(verifyPayloadDigest(secret, body, vectors.HMAC_SHA1_HEX, "HMAC_SHA256_HEX")).toEqual({
      ok: false,
      reason: "digest_mismatch",
    });
    expect(verifyPayloadDigest(secret, body, `${vectors.HMAC_SHA256_HEX.slice(0, -1)}0`, "HMAC_SHA256_HEX")).toEqual({
      ok: false,
      reason: "digest_mismatch",
    });
  });
});
