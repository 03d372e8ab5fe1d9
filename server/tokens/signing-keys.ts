import { desc, isNull, or, gt, sql } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from "jose";
import { createPublicKey } from "node:crypto";
import { getDb } from "../../db/client";
import { signingKeys } from "../../db/schema";
import { config } from "../config";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey | import("node:crypto").KeyObject;
}

export interface KeyRing {
  /** The key that signs new tokens. */
  active: SigningKey;
  /** Every public key a token in circulation may have been signed with. */
  publicJwks: JWK[];
}

// Retired keys stay published for longer than the longest access token lives.
export const RETIRED_KEY_GRACE_SECONDS = 2 * 24 * 60 * 60;
const CACHE_MS = 60_000;
const KEY_GENERATION_LOCK = 7_305_071_002;

let cache: { ring: KeyRing; at: number } | undefined;

async function publicJwkOf(pem: string): Promise<JWK> {
  const jwk = (await exportJWK(createPublicKey(pem))) as JWK;
  return { ...jwk, alg: "RS256", use: "sig", kid: await calculateJwkThumbprint(jwk) };
}

async function ringFromConfiguredPems(pems: string[]): Promise<KeyRing> {
  const jwks = await Promise.all(pems.map(publicJwkOf));
  const first = jwks[0]!;
  return { active: { kid: first.kid!, privateKey: await importPKCS8(pems[0]!, "RS256") }, publicJwks: jwks };
}

export function parsePemList(value: string): string[] {
  return value.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? [];
}

async function generateStoredKey(): Promise<void> {
  const db = getDb();
  await db.transaction(async (tx) => {
    // Several instances may start at once: one generates, the others find its key.
    await tx.execute(sql`select pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`);
    const existing = await tx.select({ kid: signingKeys.kid }).from(signingKeys).where(isNull(signingKeys.retiredAt)).limit(1);
    if (existing.length > 0) return;
    const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const pem = await exportPKCS8(privateKey);
    const jwk = await publicJwkOf(pem);
    await tx.insert(signingKeys).values({ kid: jwk.kid!, publicJwk: jwk, privatePem: pem });
  });
}

async function ringFromDatabase(): Promise<KeyRing> {
  const db = getDb();
  const load = () =>
    db
      .select({ kid: signingKeys.kid, publicJwk: signingKeys.publicJwk, privatePem: signingKeys.privatePem, retiredAt: signingKeys.retiredAt })
      .from(signingKeys)
      .where(or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, sql`now() - make_interval(secs => ${RETIRED_KEY_GRACE_SECONDS})`)))
      .orderBy(desc(signingKeys.createdAt));
  let rows = await load();
  if (!rows.some((r) => r.retiredAt === null)) {
    await generateStoredKey();
    rows = await load();
  }
  const activeRow = rows.find((r) => r.retiredAt === null)!;
  return {
    active: { kid: activeRow.kid, privateKey: await importPKCS8(activeRow.privatePem, "RS256") },
    publicJwks: rows.map((r) => r.publicJwk as JWK),
  };
}

export async function getKeyRing(): Promise<KeyRing> {
  if (cache && Date.now() - cache.at < CACHE_MS) return cache.ring;
  const configured = config().JWT_PRIVATE_KEYS;
  const ring = configured ? await ringFromConfiguredPems(parsePemList(configured)) : await ringFromDatabase();
  cache = { ring, at: Date.now() };
  return ring;
}

/** Retires the signing key in use and generates a new one (embedded and database-stored keys only). */
export async function rotateStoredSigningKey(): Promise<string> {
  const db = getDb();
  await db.update(signingKeys).set({ retiredAt: new Date() }).where(isNull(signingKeys.retiredAt));
  cache = undefined;
  const ring = await getKeyRing();
  return ring.active.kid;
}
