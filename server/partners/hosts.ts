import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor } from "../../db/client";
import { partnerHosts, partners } from "../../db/schema";
import { config } from "../../env";
import { recordAudit } from "../audit/record";
import { mayManagePartner } from "../auth/policies";
import type { Caller } from "../caller";
import { AppError } from "../errors";
import { isLocalDevelopmentOrigin, originsProblem, type PartnerHostsInput } from "./origins";

/**
 * Where a partner's white-label app runs: the hosts it is served from (a
 * public request to one of them acts for the partner, and the partner's
 * emails link there) and the browser origins allowed to call the public API
 * (CORS). Managed by the partner's KAM and admins on the partner page, and by
 * the CLI. The rules of the values themselves are in origins.ts.
 *
 * A host belongs to one partner: `partner_hosts.host` is the primary key, so
 * two partners claiming one host at the same moment cannot both succeed.
 * The first host is the one listed longest (new hosts join the end), and is
 * the one emails link to.
 */

export interface PartnerWebAccess {
  partnerId: number;
  sandbox: boolean;
  /** First the host email links use. */
  hosts: string[];
  allowedOrigins: string[];
}

type WebAccessKey = "hosts" | "allowedOrigins";

async function hostsOf(db: Executor, partnerId: number): Promise<string[]> {
  const rows = await db
    .select({ host: partnerHosts.host })
    .from(partnerHosts)
    .where(eq(partnerHosts.partnerId, partnerId))
    .orderBy(asc(partnerHosts.createdAt), asc(partnerHosts.host));
  return rows.map((r) => r.host);
}

/** Staff as their role allows (a KAM their own partners, an admin every one), and the system (the CLI); nobody else. */
async function managedPartner(db: Executor, caller: Caller, partnerId: number, o: { lock: boolean }) {
  const { actor } = caller;
  if (actor.type !== "staff" && actor.type !== "system")
    throw new AppError("forbidden", "Only a partner's key account manager and admins manage its hosts and origins");
  const query = db
    .select({
      id: partners.id,
      sandbox: partners.sandbox,
      allowedOrigins: partners.allowedOrigins,
      ownerStaffId: partners.ownerStaffId,
    })
    .from(partners)
    .where(eq(partners.id, partnerId));
  // Locked for a change, so two people saving one partner's lists are serialised and each sees the other's result.
  const [row] = await (o.lock ? query.for("update") : query);
  if (!row || (actor.type === "staff" && !mayManagePartner(actor, row.ownerStaffId)))
    throw new AppError("not_found", "No such partner");
  return row;
}

/** The partner's hosts and allowed origins, for the staff member who manages it. */
export async function getPartnerHosts(caller: Caller, input: { partnerId: number }): Promise<PartnerWebAccess> {
  const db = getDb();
  const partner = await managedPartner(db, caller, input.partnerId, { lock: false });
  return {
    partnerId: partner.id,
    sandbox: partner.sandbox,
    hosts: await hostsOf(db, partner.id),
    allowedOrigins: partner.allowedOrigins,
  };
}

/**
 * Sets both lists as sent (validated by partnerHostsInputSchema). Hosts the
 * partner keeps keep their place; new ones join the end in the order sent.
 * A host another partner holds is refused by name on the `hosts` field, and
 * so is one taken by a partner saving at the same moment: the insert skips a
 * host whose key exists (waiting for the other transaction to decide), and
 * anything skipped is refused, which rolls the whole change back. Only what
 * changed is recorded, as partner.settings_changed. Pass `db` (an open
 * transaction) to set them together with other rows, as `partner create` does.
 */
export async function setPartnerHosts(
  caller: Caller,
  input: PartnerHostsInput,
  db?: Executor,
): Promise<PartnerWebAccess & { changed: WebAccessKey[] }> {
  const run = async (tx: Executor) => {
    const partner = await managedPartner(tx, caller, input.partnerId, { lock: true });
    const problem = originsProblem(input.allowedOrigins, partner.sandbox);
    if (problem) throw AppError.field("validation_failed", "allowedOrigins", problem);
    const current = await hostsOf(tx, partner.id);
    const removed = current.filter((h) => !input.hosts.includes(h));
    const added = input.hosts.filter((h) => !current.includes(h));
    if (removed.length > 0)
      await tx
        .delete(partnerHosts)
        .where(and(eq(partnerHosts.partnerId, partner.id), inArray(partnerHosts.host, removed)));
    if (added.length > 0) {
      const inserted = await tx
        .insert(partnerHosts)
        // A microsecond apart, after every host already listed: the order sent is the order kept.
        .values(
          added.map((host, i) => ({
            host,
            partnerId: partner.id,
            createdAt: sql`now() + ${i}::int * interval '1 microsecond'`,
          })),
        )
        .onConflictDoNothing({ target: partnerHosts.host })
        .returning({ host: partnerHosts.host });
      const taken = added.filter((h) => !inserted.some((row) => row.host === h));
      if (taken.length > 0) {
        throw AppError.field(
          "conflict",
          "hosts",
          `${taken.join(", ")} ${taken.length === 1 ? "is" : "are"} already the host of another partner; a host belongs to one partner`,
        );
      }
    }
    const hosts = [...current.filter((h) => !removed.includes(h)), ...added];
    const before: Partial<Record<WebAccessKey, string[]>> = {};
    const after: Partial<Record<WebAccessKey, string[]>> = {};
    if (removed.length > 0 || added.length > 0) {
      before.hosts = current;
      after.hosts = hosts;
    }
    if (!sameList(partner.allowedOrigins, input.allowedOrigins)) {
      await tx
        .update(partners)
        .set({ allowedOrigins: input.allowedOrigins, updatedAt: new Date() })
        .where(eq(partners.id, partner.id));
      before.allowedOrigins = partner.allowedOrigins;
      after.allowedOrigins = input.allowedOrigins;
    }
    const changed = Object.keys(after) as WebAccessKey[];
    if (changed.length > 0) {
      await recordAudit(tx, caller, {
        action: "partner.settings_changed",
        entityType: "partner",
        entityId: String(partner.id),
        partnerId: partner.id,
        before,
        after,
      });
    }
    return { partnerId: partner.id, sandbox: partner.sandbox, hosts, allowedOrigins: input.allowedOrigins, changed };
  };
  return db ? run(db) : getDb().transaction(run);
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The partner whose host this is, if any (suspended ones too: resolving says so by name). */
export async function partnerIdForHost(host: string): Promise<number | undefined> {
  const [row] = await getDb()
    .select({ partnerId: partnerHosts.partnerId })
    .from(partnerHosts)
    .where(eq(partnerHosts.host, host));
  return row?.partnerId;
}

/**
 * Where links in a partner's emails point: https:// and its first host, so a
 * client confirming an address or resetting a password stays on the
 * partner's white label; APP_URL for a partner without hosts. No trailing slash.
 */
export async function partnerBaseUrl(
  partner: { id: number; baseHost?: string | null },
  db: Executor = getDb(),
): Promise<string> {
  // Read with the partner (lookup.ts) or read now, in the caller's transaction when it passes one.
  const first = partner.baseHost !== undefined ? partner.baseHost : (await hostsOf(db, partner.id))[0];
  return first ? `https://${first}` : config().APP_URL.replace(/\/+$/, "");
}

// An Origin header longer than any origin a partner may list is not worth a query.
const MAX_ORIGIN_LENGTH = 300;

/** A live partner's development (loopback) origins do not count (it may have become live with some still listed). */
const counts = (origin: string, sandbox: boolean) => sandbox || !isLocalDevelopmentOrigin(origin);

/**
 * Whether a browser at `origin` may read a public API answer (CORS). The
 * partner the request acts for decides when the request named one. A request
 * that names none is decided by the partner whose host it was sent to, else
 * by whether any partner lists the origin: a preflight never carries the
 * values of Authorization or partnerId, and a call with a client's token
 * names its partner only inside the token, so a partner's app on a shared
 * host must get past both. Its answers are then still readable only by the
 * origins of the partner each request resolves to.
 */
export async function originAllowed(origin: string, o: { partnerId?: number; host?: string }): Promise<boolean> {
  if (origin.length > MAX_ORIGIN_LENGTH || origin === "null") return false;
  const db = getDb();
  const columns = { sandbox: partners.sandbox, allowedOrigins: partners.allowedOrigins };
  if (o.partnerId !== undefined || o.host !== undefined) {
    const [row] =
      o.partnerId !== undefined
        ? await db.select(columns).from(partners).where(eq(partners.id, o.partnerId))
        : await db
            .select(columns)
            .from(partnerHosts)
            .innerJoin(partners, eq(partners.id, partnerHosts.partnerId))
            .where(eq(partnerHosts.host, o.host!));
    if (row) return row.allowedOrigins.includes(origin) && counts(origin, row.sandbox);
    if (o.partnerId !== undefined) return false;
  }
  const [any] = await db
    .select({ id: partners.id })
    .from(partners)
    .where(
      and(
        sql`${origin} = any(${partners.allowedOrigins})`,
        isLocalDevelopmentOrigin(origin) ? eq(partners.sandbox, true) : undefined,
      ),
    )
    .limit(1);
  return any !== undefined;
}
