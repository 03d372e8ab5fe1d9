"use client";

import type { ReactNode } from "react";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters } from "../../_components/url-filters";

/** The partner whose tiers the page shows, kept in the address; the server renders that partner's tiers (`children`). */
export function PartnerPicker({
  partners,
  partnerId,
  children,
}: {
  partners: Array<{ id: number; name: string }>;
  partnerId: string | undefined;
  children: ReactNode;
}) {
  const { shown, update, navigating } = useUrlFilters({ keys: ["partnerId"], filters: { partnerId } });
  return (
    <>
      <div className="max-w-md">
        <Field label="Partner">
          {(p) => (
            <select
              {...p}
              value={shown.partnerId ?? ""}
              onChange={(e) => update({ partnerId: e.target.value })}
              className={inputClass}
            >
              <option value="">Choose a partner</option>
              {partners.map((o) => (
                <option key={o.id} value={String(o.id)}>
                  {o.name} ({o.id})
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div aria-busy={navigating} className={navigating ? "space-y-6 opacity-60 transition-opacity" : "space-y-6"}>
        {children}
      </div>
    </>
  );
}
