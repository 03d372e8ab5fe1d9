import type { ReactNode } from "react";
import { Notifications } from "../../_components/notifications";
import { TrpcProvider } from "../../_components/trpc";

/**
 * The detail and form pages that still talk to the server through tRPC and
 * React Query (a client, a partner, a KYC decision, the overview, registering
 * a client, account security). The list pages render on the server through
 * the server caller and stay outside, so their first load carries neither
 * React Query nor the tRPC client (decision 0019).
 */
export default function LiveLayout({ children }: { children: ReactNode }) {
  return (
    <TrpcProvider>
      {children}
      <Notifications />
    </TrpcProvider>
  );
}
