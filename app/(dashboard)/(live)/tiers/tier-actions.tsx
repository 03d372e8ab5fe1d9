"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, ConfirmDialog } from "../../../_components/ui";

interface TierRef {
  id: number;
  name: string;
  status: "active" | "archived";
  liveSubscribers: number;
}

/** Archive (after a confirmation) or restore one tier; the tier pages refresh either way. */
export function ArchiveControl({ tier }: { tier: TierRef }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.tier.pathKey() });
  const archive = useMutation(
    trpc.tier.archive.mutationOptions({
      onSuccess: () => {
        toast.success(`Archived ${tier.name}: clients can no longer choose it`);
        return refresh();
      },
      onError: (error) => {
        toast.error(messageOf(error));
        return refresh();
      },
      onSettled: () => setConfirming(false),
    }),
  );
  const restore = useMutation(
    trpc.tier.restore.mutationOptions({
      onSuccess: () => {
        toast.success(`Restored ${tier.name}: clients can choose it again`);
        return refresh();
      },
      onError: (error) => {
        toast.error(messageOf(error));
        return refresh();
      },
    }),
  );

  if (tier.status === "archived") {
    return (
      <Button variant="secondary" disabled={restore.isPending} onClick={() => restore.mutate({ tierId: tier.id })} aria-label={`Restore ${tier.name}`}>
        Restore
      </Button>
    );
  }
  const subscribers =
    tier.liveSubscribers === 1 ? "Its 1 live subscriber keeps their subscription and renews as before." : `Its ${tier.liveSubscribers} live subscribers keep their subscriptions and renew as before.`;
  return (
    <>
      <Button variant="secondary" onClick={() => setConfirming(true)} aria-label={`Archive ${tier.name}`}>
        Archive
      </Button>
      <ConfirmDialog open={confirming} title={`Archive ${tier.name}?`} confirmLabel="Archive tier" busy={archive.isPending} onConfirm={() => archive.mutate({ tierId: tier.id })} onCancel={() => setConfirming(false)}>
        Clients no longer see it among the available tiers and cannot start it. {subscribers} You can restore it at any time.
      </ConfirmDialog>
    </>
  );
}
