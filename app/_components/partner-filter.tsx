"use client";

import { Field, inputClass } from "./ui";

export interface PartnerOption {
  id: number;
  name: string;
}

/**
 * The "Partner" picker of the back-office filters: "All partners" plus every
 * partner the signed-in staff member may see (a KAM: their own), by id. The
 * page reads the choices with `partner.options` and renders them with itself.
 */
export function PartnerFilter({
  partners,
  value,
  onChange,
  error,
}: {
  partners: PartnerOption[];
  value: string;
  onChange: (partnerId: string) => void;
  error?: string;
}) {
  return (
    <Field label="Partner" error={error}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass}>
          <option value="">All partners</option>
          {partners.map((partner) => (
            <option key={partner.id} value={String(partner.id)}>
              {partner.name} ({partner.id})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
