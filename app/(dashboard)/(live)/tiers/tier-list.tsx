"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { toast } from "sonner";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { Button, EmptyState, ErrorNotice, Spinner } from "../../../_components/ui";
import { linkClass, money } from "../billing/labels";
import { Badge } from "../partners/labels";
import { ArchiveControl } from "./tier-actions";

/** A partner's tiers in the order clients see them, with their moves and archiving. */
export function TierList({ partner }: { partner: { id: number; name: string } }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tiers = useQuery(trpc.tier.list.queryOptions({ partnerId: partner.id }));
  const move = useMutation(
    trpc.tier.move.mutationOptions({
      onSuccess: (result) => {
        if (!result.moved) toast.info("It is already at that end of the list");
      },
      onError: (error) => toast.error(messageOf(error)),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.tier.list.queryKey({ partnerId: partner.id }) }),
    }),
  );

  if (tiers.isPending) return <Spinner label="Loading tiers" />;
  if (tiers.isError) return <ErrorNotice>{messageOf(tiers.error)}</ErrorNotice>;
  const rows = tiers.data;
  if (rows.length === 0) return <EmptyState title="No tiers yet">Create the partner&apos;s first tier with the form below.</EmptyState>;

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={tiers.isFetching || move.isPending}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Tiers of {partner.name}, in the order clients see them</caption>
        <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="px-3 py-2">
              Name
            </th>
            <th scope="col" className="px-3 py-2">
              Level
            </th>
            <th scope="col" className="px-3 py-2">
              Amount
            </th>
            <th scope="col" className="px-3 py-2">
              First payment
            </th>
            <th scope="col" className="px-3 py-2 text-right">
              Live subscribers
            </th>
            <th scope="col" className="px-3 py-2">
              Status
            </th>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((t, index) => (
            <tr key={t.id} className="hover:bg-slate-50">
              <th scope="row" className="px-3 py-2 text-left font-medium">
                <Link href={`/tiers/${t.id}`} className={linkClass}>
                  {t.name}
                </Link>
                {t.mostPopular && (
                  <span className="ml-2">
                    <Badge tone="green">Most popular</Badge>
                  </span>
                )}
              </th>
              <td className="px-3 py-2 tabular-nums">{t.level}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{money(t.amount, t.currency)}</td>
              <td className="whitespace-nowrap px-3 py-2 tabular-nums">{money(t.initialPaymentAmount, t.currency)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{t.liveSubscribers}</td>
              <td className="px-3 py-2">{t.status === "active" ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Archived</Badge>}</td>
              <td className="px-3 py-2">
                <div className="flex flex-wrap gap-2">
                  <Button variant="secondary" disabled={index === 0 || move.isPending} onClick={() => move.mutate({ tierId: t.id, direction: "up" })} aria-label={`Move ${t.name} up`}>
                    <span aria-hidden>↑</span> Up
                  </Button>
                  <Button variant="secondary" disabled={index === rows.length - 1 || move.isPending} onClick={() => move.mutate({ tierId: t.id, direction: "down" })} aria-label={`Move ${t.name} down`}>
                    <span aria-hidden>↓</span> Down
                  </Button>
                  <ArchiveControl tier={t} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
