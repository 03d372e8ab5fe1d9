import { createHmac, randomBytes } from "node:crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a secret is
 * `whsec_` and the base64 of its key bytes; a message is signed as
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. While a rotated
 * secret is still honoured, the header carries one signature per secret,
 * separated by spaces, and a receiver accepts the message if any one matches.
 */

const PREFIX = "whsec_";
const KEY_BYTES = 32;

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(KEY_BYTES).toString("base64");
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(PREFIX)) throw new Error("a webhook secret starts with whsec_");
  return Buffer.from(secret.slice(PREFIX.length), "base64");
}

export type SignedHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** The three headers of one delivery: the message id (the same on every retry), the time it is sent and the signatures. */
export function signWebhook(o: {
  id: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}): SignedHeaders {
  const content = `${o.id}.${o.timestampSeconds}.${o.body}`;
  const signatures = o.secrets.map(
    (secret) => `v1,${createHmac("sha256", keyOf(secret)).update(content, "utf8").digest("base64")}`,
  );
  return {
    "webhook-id": o.id,
    "webhook-timestamp": String(o.timestampSeconds),
    "webhook-signature": signatures.join(" "),
  };
}
