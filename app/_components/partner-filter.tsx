"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc";
import { Field, inputClass } from "./ui";

/**
 * The "Partner" picker of the back-office filters: "All partners" plus every
 * partner the signed-in staff member may see (a KAM: their own), by id.
 */
export function PartnerFilter({ value, onChange, error }: { value: string; onChange: (partnerId: string) => void; error?: string }) {
  const trpc = useTRPC();
  const partners = useQuery(trpc.partner.options.queryOptions());
  return (
    <Field label="Partner" error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          <option value="">{partners.isPending ? "Loading partners…" : "All partners"}</option>
          {(partners.data ?? []).map((partner) => (
            <option key={partner.id} value={String(partner.id)}>
              {partner.name} ({partner.id})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
