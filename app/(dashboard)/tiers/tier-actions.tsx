"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import type { ActionResult } from "@/server/api/server-caller";
import { notify } from "../../_components/notifications";
import { Button, ConfirmDialog } from "../../_components/ui";
import { archiveTier, moveTier, restoreTier } from "./mutations";

interface TierRef {
  id: number;
  name: string;
  status: "active" | "archived";
  liveSubscribers: number;
}

const offline = "The request could not be sent; check the connection and try again.";

/** Runs a tier change, says how it went, and shows the page as it is now either way. */
function useTierChange() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function run<T>(send: () => Promise<ActionResult<T>>, done: (value: T) => string | undefined): Promise<void> {
    setBusy(true);
    const result = await send().catch(() => undefined);
    setBusy(false);
    if (result?.ok) {
      const message = done(result.value);
      if (message) notify.success(message);
    } else notify.error(result?.message ?? offline);
    router.refresh();
  }
  return { busy, run };
}

/** Archive (after a confirmation) or restore one tier. */
export function ArchiveControl({ tier }: { tier: TierRef }) {
  const { busy, run } = useTierChange();
  const [confirming, setConfirming] = useState(false);

  if (tier.status === "archived") {
    return (
      <Button
        variant="secondary"
        disabled={busy}
        onClick={() =>
          void run(
            () => restoreTier(tier.id),
            () => `Restored ${tier.name}: clients can choose it again`,
          )
        }
        aria-label={`Restore ${tier.name}`}
      >
        Restore
      </Button>
    );
  }
  const subscribers =
    tier.liveSubscribers === 1
      ? "Its 1 live subscriber keeps their subscription and renews as before."
      : `Its ${tier.liveSubscribers} live subscribers keep their subscriptions and renew as before.`;
  const archive = async () => {
    await run(
      () => archiveTier(tier.id),
      () => `Archived ${tier.name}: clients can no longer choose it`,
    );
    setConfirming(false);
  };
  return (
    <>
      <Button variant="secondary" onClick={() => setConfirming(true)} aria-label={`Archive ${tier.name}`}>
        Archive
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Archive ${tier.name}?`}
        confirmLabel="Archive tier"
        busy={busy}
        onConfirm={() => void archive()}
        onCancel={() => setConfirming(false)}
      >
        Clients no longer see it among the available tiers and cannot start it. {subscribers} You can restore it at any
        time.
      </ConfirmDialog>
    </>
  );
}

/** Up and Down: the order clients see the partner's tiers in. */
export function MoveButtons({
  tier,
  first,
  last,
}: {
  tier: { id: number; name: string };
  first: boolean;
  last: boolean;
}) {
  const { busy, run } = useTierChange();
  const move = (direction: "up" | "down") =>
    void run(
      () => moveTier({ tierId: tier.id, direction }),
      (r) => void (r.moved || notify.info("It is already at that end of the list")),
    );
  return (
    <>
      <Button
        variant="secondary"
        disabled={first || busy}
        onClick={() => move("up")}
        aria-label={`Move ${tier.name} up`}
      >
        <span aria-hidden>↑</span> Up
      </Button>
      <Button
        variant="secondary"
        disabled={last || busy}
        onClick={() => move("down")}
        aria-label={`Move ${tier.name} down`}
      >
        <span aria-hidden>↓</span> Down
      </Button>
    </>
  );
}
