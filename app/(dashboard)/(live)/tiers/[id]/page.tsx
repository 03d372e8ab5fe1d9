import type { Metadata } from "next";
import { TierDetail } from "./tier-detail";

export const metadata: Metadata = { title: "Subscription tier" };

export default async function TierPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Anything but a tier id is a tier that does not exist; the detail view says so.
  const tierId = /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? Number(id) : null;
  return <TierDetail tierId={tierId} />;
}
