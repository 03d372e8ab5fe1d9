import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The two HMACs of the Sumsub protocol: the signature on every request we
 * send (X-App-Access-Sig) and the digest on every webhook we receive
 * (X-Payload-Digest). Pure functions of their inputs, so tests pin them to
 * fixed vectors.
 */

export interface SignedHeaders {
  "X-App-Token": string;
  "X-App-Access-Ts": string;
  "X-App-Access-Sig": string;
}

/** Lower-case hex HMAC-SHA256(secret, ts + METHOD + path-with-query + body). */
export function sumsubSignature(
  secret: string,
  ts: number | string,
  method: string,
  pathWithQuery: string,
  body = "",
): string {
  return createHmac("sha256", secret).update(`${ts}${method.toUpperCase()}${pathWithQuery}`).update(body).digest("hex");
}

export function signSumsubRequest(o: {
  appToken: string;
  secret: string;
  method: string;
  pathWithQuery: string;
  body?: string;
  ts?: number;
}): SignedHeaders {
  const ts = o.ts ?? Math.floor(Date.now() / 1000);
  return {
    "X-App-Token": o.appToken,
    "X-App-Access-Ts": String(ts),
    "X-App-Access-Sig": sumsubSignature(o.secret, ts, o.method, o.pathWithQuery, o.body ?? ""),
  };
}

const DIGEST_ALGORITHMS = { HMAC_SHA1_HEX: "sha1", HMAC_SHA256_HEX: "sha256", HMAC_SHA512_HEX: "sha512" } as const;
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

function isDigestAlgorithm(value: string | null): value is DigestAlgorithm {
  return value !== null && Object.hasOwn(DIGEST_ALGORITHMS, value);
}

export function payloadDigest(secret: string, algorithm: DigestAlgorithm, rawBody: string): string {
  return createHmac(DIGEST_ALGORITHMS[algorithm], secret).update(rawBody, "utf8").digest("hex");
}

export type DigestCheck =
  | { ok: true; algorithm: DigestAlgorithm }
  | { ok: false; reason: "algorithm_missing" | "algorithm_unsupported" | "digest_missing" | "digest_mismatch" };

/** Checks X-Payload-Digest over the raw body, comparing in constant time. */
export function verifyPayloadDigest(
  secret: string,
  rawBody: string,
  digest: string | null,
  algorithm: string | null,
): DigestCheck {
  if (algorithm === null || algorithm.trim() === "") return { ok: false, reason: "algorithm_missing" };
  if (!isDigestAlgorithm(algorithm)) return { ok: false, reason: "algorithm_unsupported" };
  if (digest === null || digest.trim() === "") return { ok: false, reason: "digest_missing" };
  const expected = Buffer.from(payloadDigest(secret, algorithm, rawBody), "utf8");
  const received = Buffer.from(digest.trim().toLowerCase(), "utf8");
  // Lengths are public (fixed per algorithm); only equal-length buffers reach the constant-time compare.
  const ok = expected.length === received.length && timingSafeEqual(expected, received);
  return ok ? { ok: true, algorithm } : { ok: false, reason: "digest_mismatch" };
}
