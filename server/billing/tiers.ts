import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import type { z } from "zod";
import { getDb, type Tx } from "../../db/client";
import { pgErrorCode } from "../../db/errors";
import { clients, partners, subscriptions, subscriptionTiers } from "../../db/schema";
import { recordAudit } from "../audit/record";
import { assertInScope, type PartnerScope } from "../auth/policies";
import { clientOf, scopeOf, type Caller } from "../caller";
import { AppError } from "../errors";
import type { partnerTargetSchema } from "../partners/schemas";
import { formatMinor } from "./money";
import type { AvailableTier, createTierSchema, MoveTierInput, TierTarget, TierView, updateTierSchema } from "./schemas";

/** Subscription tiers: what partners sell. Staff manage them; clients list the active ones. */

const tierColumns = {
  id: subscriptionTiers.id,
  partnerId: subscriptionTiers.partnerId,
  name: subscriptionTiers.name,
  description: subscriptionTiers.description,
  level: subscriptionTiers.level,
  amountMinor: subscriptionTiers.amountMinor,
  initialAmountMinor: subscriptionTiers.initialAmountMinor,
  currency: subscriptionTiers.currency,
  interval: subscriptionTiers.interval,
  features: subscriptionTiers.features,
  tariffDetails: subscriptionTiers.tariffDetails,
  mostPopular: subscriptionTiers.mostPopular,
  trialAvailable: subscriptionTiers.trialAvailable,
  status: subscriptionTiers.status,
  sortOrder: subscriptionTiers.sortOrder,
  createdAt: subscriptionTiers.createdAt,
  updatedAt: subscriptionTiers.updatedAt,
};
export type TierRow = typeof subscriptionTiers.$inferSelect;

function toTierView(t: TierRow): TierView {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    level: t.level,
    amount: formatMinor(t.amountMinor),
    initialPaymentAmount: formatMinor(t.initialAmountMinor),
    currency: t.currency,
    interval: t.interval,
    features: t.features,
    tariffDetails: [...t.tariffDetails].sort((a, b) => a.order - b.order),
    mostPopular: t.mostPopular,
    trialAvailable: t.trialAvailable,
  };
}

/** What the back office shows of a tier: the public view plus its state and subscriber counts. */
function toStaffTier(t: TierRow & { liveSubscribers: number }) {
  return {
    ...toTierView(t),
    partnerId: t.partnerId,
    status: t.status,
    sortOrder: t.sortOrder,
    liveSubscribers: t.liveSubscribers,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
export type StaffTier = ReturnType<typeof toStaffTier>;

function toAvailableTier(t: TierRow): AvailableTier {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    level: t.level,
    amount: Number(formatMinor(t.amountMinor)),
    initialPaymentAmount: Number(formatMinor(t.initialAmountMinor)),
    currency: t.currency,
    subscriptionInterval: t.interval,
    mostPopular: t.mostPopular,
    trialAvailable: t.trialAvailable,
    details: { feature: t.features, tariffDetails: [...t.tariffDetails].sort((a, b) => a.order - b.order) },
  };
}

/** The partner's active tiers in the partner's order, in Vault's shape: `GET /reg/subscription/details/available`. */
export async function listAvailableTiers(caller: Caller): Promise<AvailableTier[]> {
  const rows = await getDb()
    .select(tierColumns)
    .from(subscriptionTiers)
    .where(and(eq(subscriptionTiers.partnerId, clientOf(caller).partnerId), eq(subscriptionTiers.status, "active")))
    .orderBy(asc(subscriptionTiers.sortOrder), asc(subscriptionTiers.id));
  return rows.map(toAvailableTier);
}

// The tier's id is spelled out with its table: in a select without joins drizzle leaves column names bare, and a bare "id" in here is the subscription's.
const liveSubscribers = sql<number>`(select count(*)::int from ${subscriptions} where ${subscriptions.tierId} = ${subscriptionTiers}.${sql.identifier(subscriptionTiers.id.name)} and ${subscriptions.status} <> 'CANCELLED')`;

export async function listPartnerTiers(
  caller: Caller,
  input: z.output<typeof partnerTargetSchema>,
): Promise<StaffTier[]> {
  assertInScope(scopeOf(caller), input.partnerId);
  const rows = await getDb()
    .select({ ...tierColumns, liveSubscribers })
    .from(subscriptionTiers)
    .where(eq(subscriptionTiers.partnerId, input.partnerId))
    .orderBy(asc(subscriptionTiers.sortOrder), asc(subscriptionTiers.id));
  return rows.map(toStaffTier);
}

const TIER_SUBSCRIBERS_SHOWN = 200;

/** A tier with the clients who subscribe to it (newest first), for the tier's page. */
export async function getTierWithSubscribers(caller: Caller, input: TierTarget) {
  const { tierId } = input;
  const [row] = await getDb()
    .select({ ...tierColumns, liveSubscribers, partnerName: partners.name })
    .from(subscriptionTiers)
    .innerJoin(partners, eq(partners.id, subscriptionTiers.partnerId))
    .where(eq(subscriptionTiers.id, tierId));
  if (!row) throw new AppError("not_found", "No such tier");
  assertInScope(scopeOf(caller), row.partnerId);
  const subscribers = await getDb()
    .select({
      subscriptionId: subscriptions.id,
      status: subscriptions.status,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
      createdAt: subscriptions.createdAt,
      clientId: clients.id,
      email: clients.email,
      firstName: clients.firstName,
      lastName: clients.lastName,
    })
    .from(subscriptions)
    .innerJoin(clients, eq(clients.id, subscriptions.clientId))
    .where(eq(subscriptions.tierId, tierId))
    .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    .limit(TIER_SUBSCRIBERS_SHOWN);
  return { tier: { ...toStaffTier(row), partnerName: row.partnerName }, subscribers };
}

function nameTaken(error: unknown): never {
  if (pgErrorCode(error) === "23505")
    throw AppError.field("conflict", "name", "This partner already has a tier with this name");
  throw error;
}

async function lockPartnerForTiers(tx: Tx, scope: PartnerScope, partnerId: number) {
  assertInScope(scope, partnerId);
  // NO KEY UPDATE: serialises tier changes of the partner without blocking inserts that reference it.
  const [partner] = await tx
    .select({ id: partners.id })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .for("no key update");
  if (!partner) throw AppError.field("not_found", "partnerId", "No such partner");
}

/** Creates a tier at the end of the partner's list; the CLI and the back office both call this. */
export async function createTier(
  caller: Caller,
  input: z.output<typeof createTierSchema>,
): Promise<TierView & { partnerId: number }> {
  return getDb()
    .transaction(async (tx) => {
      await lockPartnerForTiers(tx, scopeOf(caller), input.partnerId);
      const [last] = await tx
        .select({ max: sql<number | null>`max(${subscriptionTiers.sortOrder})` })
        .from(subscriptionTiers)
        .where(eq(subscriptionTiers.partnerId, input.partnerId));
      const [tier] = await tx
        .insert(subscriptionTiers)
        .values({
          partnerId: input.partnerId,
          name: input.name,
          description: input.description,
          level: input.level,
          amountMinor: input.amount,
          initialAmountMinor: input.initialAmount ?? input.amount,
          currency: input.currency,
          interval: input.interval,
          features: input.features,
          tariffDetails: input.tariffDetails,
          mostPopular: input.mostPopular,
          trialAvailable: input.trialAvailable,
          sortOrder: (last?.max ?? -1) + 1,
        })
        .returning(tierColumns);
      const view = toTierView(tier!);
      await recordAudit(tx, caller, {
        action: "tier.created",
        entityType: "tier",
        entityId: String(tier!.id),
        partnerId: input.partnerId,
        after: view,
      });
      return { ...view, partnerId: input.partnerId };
    })
    .catch(nameTaken);
}

async function lockTier(tx: Tx, scope: PartnerScope, tierId: number): Promise<TierRow> {
  const [tier] = await tx
    .select(tierColumns)
    .from(subscriptionTiers)
    .where(eq(subscriptionTiers.id, tierId))
    .for("no key update");
  if (!tier) throw AppError.field("not_found", "tierId", "No such tier");
  assertInScope(scope, tier.partnerId);
  return tier;
}

/** Changes what is sent and differs; existing subscribers' open invoices keep their amounts. */
export async function updateTier(caller: Caller, input: z.output<typeof updateTierSchema>) {
  const { tierId, amount, initialAmount, ...rest } = input;
  return getDb()
    .transaction(async (tx) => {
      const tier = await lockTier(tx, scopeOf(caller), tierId);
      const next = {
        ...rest,
        ...(amount !== undefined ? { amountMinor: amount } : {}),
        ...(initialAmount !== undefined ? { initialAmountMinor: initialAmount } : {}),
      };
      const before: Record<string, unknown> = {};
      const after: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(next)) {
        if (value === undefined) continue;
        const old = tier[key as keyof TierRow];
        const show = (v: unknown) => (typeof v === "bigint" ? formatMinor(v) : v);
        if (JSON.stringify(show(old)) === JSON.stringify(show(value))) continue;
        before[key] = show(old);
        after[key] = show(value);
      }
      if (Object.keys(after).length === 0) return { tier: toTierView(tier), changed: [] as string[] };
      const [updated] = await tx
        .update(subscriptionTiers)
        .set({ ...next, updatedAt: new Date() })
        .where(eq(subscriptionTiers.id, tierId))
        .returning(tierColumns);
      await recordAudit(tx, caller, {
        action: "tier.updated",
        entityType: "tier",
        entityId: String(tierId),
        partnerId: tier.partnerId,
        before,
        after,
      });
      return { tier: toTierView(updated!), changed: Object.keys(after) };
    })
    .catch(nameTaken);
}

/** Archived tiers are no longer offered; their subscribers keep their subscriptions and renew as before. */
export async function setTierArchived(caller: Caller, input: TierTarget & { archived: boolean }) {
  const { tierId, archived } = input;
  return getDb().transaction(async (tx) => {
    const tier = await lockTier(tx, scopeOf(caller), tierId);
    const status = archived ? ("archived" as const) : ("active" as const);
    if (tier.status === status) return { tierId, status };
    await tx.update(subscriptionTiers).set({ status, updatedAt: new Date() }).where(eq(subscriptionTiers.id, tierId));
    await recordAudit(tx, caller, {
      action: archived ? "tier.archived" : "tier.restored",
      entityType: "tier",
      entityId: String(tierId),
      partnerId: tier.partnerId,
      before: { status: tier.status },
      after: { status },
    });
    return { tierId, status };
  });
}

/** Swaps the tier with its neighbour in the partner's order. At either end it stays put. */
export async function moveTier(caller: Caller, input: MoveTierInput) {
  const { tierId, direction } = input;
  const scope = scopeOf(caller);
  return getDb().transaction(async (tx) => {
    // The partner first, then its tiers: two moves of neighbouring tiers wait for each other instead of deadlocking.
    const [found] = await tx
      .select({ partnerId: subscriptionTiers.partnerId })
      .from(subscriptionTiers)
      .where(eq(subscriptionTiers.id, tierId));
    if (!found) throw AppError.field("not_found", "tierId", "No such tier");
    await lockPartnerForTiers(tx, scope, found.partnerId);
    const tier = await lockTier(tx, scope, tierId);
    const [neighbour] = await tx
      .select({ id: subscriptionTiers.id, sortOrder: subscriptionTiers.sortOrder })
      .from(subscriptionTiers)
      .where(
        and(
          eq(subscriptionTiers.partnerId, tier.partnerId),
          direction === "up"
            ? lt(subscriptionTiers.sortOrder, tier.sortOrder)
            : gt(subscriptionTiers.sortOrder, tier.sortOrder),
        ),
      )
      .orderBy(direction === "up" ? desc(subscriptionTiers.sortOrder) : asc(subscriptionTiers.sortOrder))
      .limit(1);
    if (!neighbour) return { moved: false };
    await tx.update(subscriptionTiers).set({ sortOrder: neighbour.sortOrder }).where(eq(subscriptionTiers.id, tier.id));
    await tx.update(subscriptionTiers).set({ sortOrder: tier.sortOrder }).where(eq(subscriptionTiers.id, neighbour.id));
    await recordAudit(tx, caller, {
      action: "tier.moved",
      entityType: "tier",
      entityId: String(tierId),
      partnerId: tier.partnerId,
      before: { position: tier.sortOrder },
      after: { position: neighbour.sortOrder, direction },
    });
    return { moved: true };
  });
}
