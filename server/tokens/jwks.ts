import type { JWK } from "jose";
import { getKeyRing } from "./signing-keys";

/** The public halves of every key whose tokens may still be in circulation. */
export async function publicJwks(): Promise<JWK[]> {
  const ring = await getKeyRing();
  return ring.publicJwks.map(({ kty, n, e, kid, alg, use }) => ({ kty, n, e, kid, alg, use }));
}
