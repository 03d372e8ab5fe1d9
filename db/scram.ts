import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks
 * it, without channel binding: the password never crosses the socket, and the
 * client checks that the server knew it too.
 */

export const SCRAM_MECHANISM = "SCRAM-SHA-256";
// PostgreSQL's default; the key is derived once per server start, not per connection.
const ITERATIONS = 4096;

export interface ScramVerifier {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
const sha256 = (value: Buffer) => createHash("sha256").update(value).digest();

export function scramVerifier(password: string): ScramVerifier {
  const salt = randomBytes(16);
  // Our passwords are base64url: SASLprep leaves them unchanged.
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, "sha256");
  return {
    salt,
    iterations: ITERATIONS,
    storedKey: sha256(hmac(salted, "Client Key")),
    serverKey: hmac(salted, "Server Key"),
  };
}

/** One client's exchange: client-first → server-first, then client-final → server-final (or refusal). */
export class ScramExchange {
  private state: { gs2Header: string; clientFirstBare: string; serverFirst: string; nonce: string } | undefined;

  constructor(private readonly verifier: ScramVerifier) {}

  /** The server-first-message, or undefined when the client's message is not one we accept. */
  serverFirst(clientFirst: string): string | undefined {
    // gs2-header: "n" (no channel binding) or "y" (client could, server cannot), no authzid.
    const header = /^([ny]),,/.exec(clientFirst);
    if (!header) return undefined;
    const clientFirstBare = clientFirst.slice(header[0].length);
    const clientNonce = /(?:^|,)r=([\x21-\x2b\x2d-\x7e]+)(?:,|$)/.exec(clientFirstBare)?.[1];
    if (!clientNonce) return undefined;
    const nonce = clientNonce + randomBytes(18).toString("base64");
    const serverFirst = `r=${nonce},s=${this.verifier.salt.toString("base64")},i=${this.verifier.iterations}`;
    this.state = { gs2Header: header[0], clientFirstBare, serverFirst, nonce };
    return serverFirst;
  }

  /** The server-final-message when the client proved it knows the password, else undefined. */
  serverFinal(clientFinal: string): string | undefined {
    const s = this.state;
    this.state = undefined;
    if (!s) return undefined;
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) return undefined;
    const withoutProof = clientFinal.slice(0, proofAt);
    if (withoutProof !== `c=${Buffer.from(s.gs2Header).toString("base64")},r=${s.nonce}`) return undefined;
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
    if (proof.length !== 32) return undefined;
    const authMessage = `${s.clientFirstBare},${s.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) return undefined;
    return `v=${hmac(this.verifier.serverKey, authMessage).toString("base64")}`;
  }
}
