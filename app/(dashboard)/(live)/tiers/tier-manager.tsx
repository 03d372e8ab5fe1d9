"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { EmptyState, ErrorNotice, Field, inputClass, PageHeader, Spinner } from "../../../_components/ui";
import { NewTierForm } from "./new-tier-form";
import { TierList } from "./tier-list";

/** The Subscription tiers page: pick a partner, then manage its tiers. The partner is kept in the address. */
export function TierManager({ initialPartnerId }: { initialPartnerId: number | null }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const partners = useQuery(trpc.partner.options.queryOptions());
  const [chosen, setChosen] = useState<number | null>(initialPartnerId);
  const options = partners.data ?? [];
  // With a single partner there is nothing to choose.
  const partnerId = chosen ?? (options.length === 1 ? options[0]!.id : null);
  const partner = options.find((p) => p.id === partnerId);

  function choose(value: string) {
    const id = value === "" ? null : Number(value);
    setChosen(id);
    window.history.replaceState(null, "", id === null ? pathname : `${pathname}?partnerId=${id}`);
  }

  return (
    <div className="max-w-6xl space-y-6">
      <PageHeader title="Subscription tiers" description="What each partner sells to its clients: create, edit, reorder and archive tiers, and see who subscribes." />
      {partners.isPending ? (
        <Spinner label="Loading partners" />
      ) : partners.isError ? (
        <ErrorNotice>{messageOf(partners.error)}</ErrorNotice>
      ) : options.length === 0 ? (
        <EmptyState title="No partners">Tiers belong to partners; you have none to manage yet.</EmptyState>
      ) : (
        <>
          <div className="max-w-md">
            <Field label="Partner">
              {(p) => (
                <select {...p} value={partnerId === null ? "" : String(partnerId)} onChange={(e) => choose(e.target.value)} className={inputClass}>
                  <option value="">Choose a partner</option>
                  {options.map((o) => (
                    <option key={o.id} value={String(o.id)}>
                      {o.name} ({o.id})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          {partnerId === null ? (
            <EmptyState title="Choose a partner">Its tiers are listed here, in the order its clients see them.</EmptyState>
          ) : !partner ? (
            <EmptyState title="No such partner">It may be a partner you do not manage.</EmptyState>
          ) : (
            <div key={partner.id} className="space-y-6">
              <section aria-labelledby="tiers-heading">
                <h2 id="tiers-heading" className="mb-3 text-lg font-semibold text-slate-900">
                  Tiers of {partner.name}
                </h2>
                <TierList partner={partner} />
              </section>
              <NewTierForm partner={partner} />
            </div>
          )}
        </>
      )}
    </div>
  );
}
