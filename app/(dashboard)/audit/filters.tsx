"use client";

import type { ReactNode } from "react";
import { PartnerFilter, type PartnerOption } from "../../_components/partner-filter";
import { Button, Field, inputClass } from "../../_components/ui";
import { useUrlFilters, type Filters } from "../../_components/url-filters";
import { auditActorTypeLabels, optionsOf } from "../../_components/vocabulary";

/**
 * The Audit log's filter form. The filters live in the address; each change
 * replaces it and the server renders the matching events (`children`), which
 * stay on screen, marked busy, until the new ones arrive.
 */
type K = "actorType" | "actorId" | "action" | "partnerId" | "entityType" | "entityId" | "from" | "to";

export function AuditFiltersForm({
  keys,
  filters,
  errors,
  staff,
  actions,
  entityTypes,
  partners,
  children,
}: {
  keys: readonly K[];
  filters: Filters<K>;
  errors: Record<string, string>;
  staff: Array<{ id: string; name: string; email: string }>;
  actions: string[];
  entityTypes: string[];
  partners: PartnerOption[];
  children: ReactNode;
}) {
  const { shown, typed, type, update, reset, anySet, navigating } = useUrlFilters({
    keys,
    filters,
    typed: ["actorId", "entityId", "from", "to"],
  });
  const get = (key: K) => shown[key] ?? "";

  // One picker for the actor: a staff member by name, or any actor of a kind.
  const actorType = get("actorType");
  const actorId = get("actorId");
  const actorValue = actorType ? (actorType === "staff" && actorId ? `staff:${actorId}` : actorType) : "";
  const unknownStaffActor = actorType === "staff" && actorId && !staff.some((s) => s.id === actorId);
  function chooseActor(value: string) {
    const [kind = "", id = ""] = value.split(":");
    update({ actorType: kind, actorId: id });
  }
  const actorNeedsId = actorType === "api_key" || actorType === "client";
  const withCurrent = (values: string[], current: string) =>
    current && !values.includes(current) ? [current, ...values] : values;
  const text = (key: K, label: string, hint: string, mono = false, inputType = "text") => (
    <Field label={label} hint={hint} error={errors[key]}>
      {(p) => (
        <input
          {...p}
          type={inputType}
          value={typed[key] ?? ""}
          onChange={(e) => type(key, e.target.value)}
          autoComplete="off"
          spellCheck={false}
          className={`${inputClass}${mono ? " font-mono" : ""}`}
        />
      )}
    </Field>
  );
  const select = (key: K, label: string, anyLabel: string, values: string[]) => (
    <Field label={label} error={errors[key]}>
      {(p) => (
        <select {...p} value={get(key)} onChange={(e) => update({ [key]: e.target.value })} className={inputClass}>
          <option value="">{anyLabel}</option>
          {withCurrent(values, get(key)).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      )}
    </Field>
  );

  return (
    <>
      <form
        role="search"
        aria-label="Filter audit events"
        onSubmit={(e) => e.preventDefault()}
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4"
      >
        <Field label="Actor" error={errors.actorType}>
          {(p) => (
            <select {...p} value={actorValue} onChange={(e) => chooseActor(e.target.value)} className={inputClass}>
              <option value="">Anyone</option>
              <optgroup label="Staff members">
                {unknownStaffActor && <option value={`staff:${actorId}`}>Staff member {actorId}</option>}
                {staff.map((s) => (
                  <option key={s.id} value={`staff:${s.id}`}>
                    {s.name} ({s.email})
                  </option>
                ))}
              </optgroup>
              <optgroup label="Kinds of actor">
                {optionsOf(auditActorTypeLabels).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </optgroup>
            </select>
          )}
        </Field>
        {actorNeedsId &&
          text("actorId", actorType === "api_key" ? "API key id" : "Client id", "Leave empty for any", true)}
        {select("action", "Action", "Any action", actions)}
        <PartnerFilter
          partners={partners}
          value={get("partnerId")}
          onChange={(partnerId) => update({ partnerId })}
          error={errors.partnerId}
        />
        {select("entityType", "Entity type", "Any entity", entityTypes)}
        {text("entityId", "Entity id", "With an entity type: a client, staff, partner or key id", true)}
        {text("from", "From", "UTC date", false, "date")}
        {text("to", "To", "UTC date, inclusive", false, "date")}
        <div className="flex items-end">
          <Button variant="secondary" onClick={reset} disabled={!anySet}>
            Clear filters
          </Button>
        </div>
      </form>
      <div aria-busy={navigating} className={navigating ? "opacity-60 transition-opacity" : undefined}>
        {children}
      </div>
    </>
  );
}
