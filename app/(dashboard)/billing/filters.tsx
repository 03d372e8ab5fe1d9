"use client";

import type { ReactNode } from "react";
import type { SubscriptionStatus } from "@/server/billing/schemas";
import { PartnerFilter, type PartnerOption } from "../../_components/partner-filter";
import { Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";
import {
  invoiceKindLabels,
  invoiceStatusLabels,
  optionsOf,
  subscriptionStatusHints,
} from "../../_components/vocabulary";

type Choice = { value: string; label: string };

const subscriptionStatuses: Choice[] = (Object.keys(subscriptionStatusHints) as SubscriptionStatus[]).map((s) => ({
  value: s,
  label: `${s} (${subscriptionStatusHints[s]})`,
}));

/**
 * The filters of one list of the page, kept in the address under the list's
 * own names: a partner, one or two choices, and the client's email (applied
 * once typing pauses). The server renders the matching rows (`children`).
 */
function ListFilters<K extends string>({
  label,
  keys,
  filters,
  errors,
  partners,
  partnerKey,
  emailKey,
  selects,
  children,
}: {
  label: string;
  keys: readonly K[];
  filters: Filters<K>;
  errors: Record<string, string>;
  partners: PartnerOption[];
  partnerKey: K;
  emailKey: K;
  selects: Array<{ key: K; label: string; anyLabel: string; choices: Choice[]; error?: string }>;
  children: ReactNode;
}) {
  const { shown, typed, type, update, navigating } = useUrlFilters({ keys, filters, typed: [emailKey] });
  return (
    <>
      <form
        role="search"
        aria-label={label}
        onSubmit={(e) => e.preventDefault()}
        className={`mb-4 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 ${selects.length > 1 ? "sm:grid-cols-2 lg:grid-cols-4" : "sm:grid-cols-3"}`}
      >
        <PartnerFilter
          partners={partners}
          value={shown[partnerKey] ?? ""}
          onChange={(v) => update({ [partnerKey]: v } as Filters<K>)}
          error={errors.partnerId}
        />
        {selects.map((s) => (
          <Field key={s.key} label={s.label} error={s.error}>
            {(p) => (
              <select
                {...p}
                value={shown[s.key] ?? ""}
                onChange={(e) => update({ [s.key]: e.target.value } as Filters<K>)}
                className={inputClass}
              >
                <option value="">{s.anyLabel}</option>
                {s.choices.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ))}
        <Field label="Client email" hint="The whole email address" error={errors.email}>
          {(p) => (
            <input
              {...p}
              type="search"
              value={typed[emailKey] ?? ""}
              onChange={(e) => type(emailKey, e.target.value)}
              maxLength={320}
              autoComplete="off"
              spellCheck={false}
              className={inputClass}
            />
          )}
        </Field>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}

type SubscriptionKey = "subscriptionPartnerId" | "subscriptionStatus" | "subscriptionEmail";
type InvoiceKey = "invoicePartnerId" | "invoiceStatus" | "invoiceKind" | "invoiceEmail";

export function SubscriptionFilters(p: {
  keys: readonly SubscriptionKey[];
  filters: Filters<SubscriptionKey>;
  errors: Record<string, string>;
  partners: PartnerOption[];
  children: ReactNode;
}) {
  return (
    <ListFilters
      {...p}
      label="Filter subscriptions"
      partnerKey="subscriptionPartnerId"
      emailKey="subscriptionEmail"
      selects={[
        {
          key: "subscriptionStatus",
          label: "Status",
          anyLabel: "All statuses",
          choices: subscriptionStatuses,
          error: p.errors.status,
        },
      ]}
    />
  );
}

export function InvoiceFilters(p: {
  keys: readonly InvoiceKey[];
  filters: Filters<InvoiceKey>;
  errors: Record<string, string>;
  partners: PartnerOption[];
  children: ReactNode;
}) {
  return (
    <ListFilters
      {...p}
      label="Filter invoices"
      partnerKey="invoicePartnerId"
      emailKey="invoiceEmail"
      selects={[
        {
          key: "invoiceStatus",
          label: "Status",
          anyLabel: "All statuses",
          choices: optionsOf(invoiceStatusLabels),
          error: p.errors.status,
        },
        {
          key: "invoiceKind",
          label: "Kind",
          anyLabel: "All kinds",
          choices: optionsOf(invoiceKindLabels),
          error: p.errors.kind,
        },
      ]}
    />
  );
}
