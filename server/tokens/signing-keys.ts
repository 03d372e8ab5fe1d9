import { and, desc, eq, gt, inArray, isNull, like, or, sql } from "drizzle-orm";
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from "jose";
import { createPublicKey, type KeyObject } from "node:crypto";
import { getDb } from "../../db/client";
import { signingKeys } from "../../db/schema";
import { config } from "../../env";
import { openSecret, sealSecret } from "../crypto";
import { log } from "../log";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey | KeyObject;
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
// Stored private keys are sealed with a key derived from AUTH_SECRET (docs/decisions/0003).
const SEAL_PURPOSE = "jwt-signing-key";
// How releases before docs/decisions/0017 stored them.
const PLAIN_PEM_PREFIX = "-----BEGIN";

let cache: { ring: KeyRing; at: number } | undefined;

async function publicJwkOf(pem: string): Promise<JWK> {
  const jwk = await exportJWK(createPublicKey(pem));
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
    const existing = await tx
      .select({ kid: signingKeys.kid })
      .from(signingKeys)
      .where(isNull(signingKeys.retiredAt))
      .limit(1);
    if (existing.length > 0) return;
    const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const pem = await exportPKCS8(privateKey);
    const jwk = await publicJwkOf(pem);
    await tx.insert(signingKeys).values({ kid: jwk.kid!, publicJwk: jwk, privatePem: sealSecret(SEAL_PURPOSE, pem) });
  });
}

/**
 * Seals the keys an earlier release stored as plain PEM, in place: same kid,
 * same key, so every token they signed still verifies. Runs at start-up
 * (server/setup/database.ts) and, should a process meet a plain key first, before it reads the ring.
 */
export async function sealPlainSigningKeys(): Promise<number> {
  return getDb().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${KEY_GENERATION_LOCK})`);
    const plain = await tx
      .select({ kid: signingKeys.kid, privatePem: signingKeys.privatePem })
      .from(signingKeys)
      .where(like(signingKeys.privatePem, `${PLAIN_PEM_PREFIX}%`));
    for (const row of plain)
      await tx
        .update(signingKeys)
        .set({ privatePem: sealSecret(SEAL_PURPOSE, row.privatePem) })
        .where(eq(signingKeys.kid, row.kid));
    return plain.length;
  });
}

/**
 * Stored keys that no longer open: AUTH_SECRET changed (or the rows were
 * altered). They are retired as if their grace period were over, so they leave
 * the JWKS at once: a key we cannot vouch for must not keep vouching for
 * tokens. Tokens they signed stop verifying; their clients sign in again.
 */
async function retireUnreadableKeys(kids: string[]): Promise<void> {
  const gone = sql`now() - make_interval(secs => ${RETIRED_KEY_GRACE_SECONDS + 1})`;
  const retired = await getDb()
    .update(signingKeys)
    .set({ retiredAt: gone })
    .where(and(inArray(signingKeys.kid, kids), or(isNull(signingKeys.retiredAt), gt(signingKeys.retiredAt, gone))))
    .returning({ kid: signingKeys.kid });
  if (retired.length > 0) {
    log.warn(
      "Stored signing keys cannot be decrypted with the current AUTH_SECRET: they are retired and unpublished, and a new key is generated. Access tokens they signed no longer verify.",
      {
        kids: retired.map((r) => r.kid),
      },
    );
  }
}

const publishedKeys = () =>
  getDb()
    .select({
      kid: signingKeys.kid,
      publicJwk: signingKeys.publicJwk,
      privatePem: signingKeys.privatePem,
      retiredAt: signingKeys.retiredAt,
    })
    .from(signingKeys)
    .where(
      or(
        isNull(signingKeys.retiredAt),
        gt(signingKeys.retiredAt, sql`now() - make_interval(secs => ${RETIRED_KEY_GRACE_SECONDS})`),
      ),
    )
    .orderBy(desc(signingKeys.createdAt));

type PublishedKey = Awaited<ReturnType<typeof publishedKeys>>[number];

/** The key that signs, decrypted; undefined when there is none or it does not open. */
function activeKeyOf(rows: PublishedKey[]): { kid: string; pem: string } | undefined {
  const row = rows.find((r) => r.retiredAt === null);
  const pem = row && openSecret(SEAL_PURPOSE, row.privatePem);
  return row && pem !== undefined ? { kid: row.kid, pem } : undefined;
}

async function ringFromDatabase(): Promise<KeyRing> {
  let rows = await publishedKeys();
  if (rows.some((r) => r.privatePem.startsWith(PLAIN_PEM_PREFIX))) {
    await sealPlainSigningKeys();
    rows = await publishedKeys();
  }
  const unreadable = rows.filter((r) => openSecret(SEAL_PURPOSE, r.privatePem) === undefined);
  if (unreadable.length > 0) {
    await retireUnreadableKeys(unreadable.map((r) => r.kid));
    rows = await publishedKeys();
  }
  let active = activeKeyOf(rows);
  if (!active) {
    await generateStoredKey();
    rows = await publishedKeys();
    active = activeKeyOf(rows);
    if (!active)
      throw new Error(
        "The active signing key does not open with this AUTH_SECRET; every instance on this database must share one AUTH_SECRET",
      );
  }
  return {
    active: { kid: active.kid, privateKey: await importPKCS8(active.pem, "RS256") },
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
