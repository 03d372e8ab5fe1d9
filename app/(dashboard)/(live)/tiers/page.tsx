import type { Metadata } from "next";
import { TierManager } from "./tier-manager";

export const metadata: Metadata = { title: "Subscription tiers" };

/** Every role manages tiers: a KAM those of the partners they own (the server keeps to that). */
export default async function TiersPage({ searchParams }: { searchParams: Promise<{ partnerId?: string | string[] }> }) {
  const { partnerId } = await searchParams;
  const raw = typeof partnerId === "string" ? partnerId : "";
  const initialPartnerId = /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : null;
  return <TierManager initialPartnerId={initialPartnerId} />;
}
