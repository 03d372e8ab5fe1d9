import type { ReactNode } from "react";
import { Toaster } from "sonner";
import { TrpcProvider } from "../../_components/trpc";

/**
 * The pages that talk to the server through tRPC and confirm actions with
 * toasts. The Clients list renders on the server and stays outside, so its
 * first load carries neither (decision 0015).
 */
export default function LiveLayout({ children }: { children: ReactNode }) {
  return (
    <TrpcProvider>
      {children}
      <Toaster position="top-right" richColors closeButton />
    </TrpcProvider>
  );
}
