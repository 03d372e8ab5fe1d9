"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import type { AppRouter } from "@/server/api/root";
import { updateTierSchema } from "@/server/billing/schemas";
import { fieldErrorsOf, messageOf, useTRPC, type FieldErrors } from "../../../../_components/trpc";
import { Section } from "../../../../_components/section";
import { Button, EmptyState, ErrorNotice, PageHeader, Spinner } from "../../../../_components/ui";
import { linkClass, money, SubscriptionStatusBadge, when, whenUtc } from "../../billing/labels";
import { Badge } from "../../partners/labels";
import { errorsByField, topLevelErrors } from "../../partners/settings-fields";
import { ArchiveControl } from "../tier-actions";
import { namesTierField, tierCandidateOf, TierFields, tierFormOf, type TierFormState } from "../tier-fields";

type Detail = inferRouterOutputs<AppRouter>["tier"]["get"];

export function TierDetail({ tierId }: { tierId: number | null }) {
  const trpc = useTRPC();
  const detail = useQuery({ ...trpc.tier.get.queryOptions({ tierId: tierId ?? 0 }), enabled: tierId !== null });

  if (tierId === null || detail.isError) {
    const notFound = tierId === null || (detail.error instanceof TRPCClientError && [400, 404].includes(detail.error.data?.httpStatus));
    return (
      <div className="max-w-3xl">
        <BackLink />
        <PageHeader title="Subscription tier" />
        {notFound ? <EmptyState title="No such tier">It may belong to a partner you do not manage.</EmptyState> : <ErrorNotice>{messageOf(detail.error)}</ErrorNotice>}
      </div>
    );
  }
  if (detail.isPending) return <Spinner label="Loading the tier" />;
  const { tier, subscribers } = detail.data;
  return (
    <div className="max-w-5xl space-y-8">
      <div>
        <BackLink partnerId={tier.partnerId} />
        <PageHeader title={tier.name} description={`A tier of ${tier.partnerName} (partner ${tier.partnerId})`} actions={<ArchiveControl tier={tier} />} />
      </div>
      <DetailsSection tier={tier} />
      <EditSection key={tier.updatedAt.toISOString()} tier={tier} />
      <SubscribersSection subscribers={subscribers} />
    </div>
  );
}

function BackLink({ partnerId }: { partnerId?: number }) {
  return (
    <Link href={partnerId ? `/tiers?partnerId=${partnerId}` : "/tiers"} className={`mb-2 inline-block text-sm ${linkClass}`}>
      ← Subscription tiers
    </Link>
  );
}


function Term({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "sm:col-span-2 lg:col-span-3" : undefined}>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function DetailsSection({ tier }: { tier: Detail["tier"] }) {
  return (
    <Section id="details" title="Details">
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Term label="Status">{tier.status === "active" ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Archived</Badge>}</Term>
        <Term label="Amount">{money(tier.amount, tier.currency)} every 30 days</Term>
        <Term label="First payment">{money(tier.initialPaymentAmount, tier.currency)}</Term>
        <Term label="Level">{tier.level}</Term>
        <Term label="Most popular">{tier.mostPopular ? "Yes" : "No"}</Term>
        <Term label="Trial available">{tier.trialAvailable ? "Yes" : "No"}</Term>
        <Term label="Live subscribers">{tier.liveSubscribers}</Term>
        <Term label="Created">{whenUtc(tier.createdAt)}</Term>
        <Term label="Last updated">{whenUtc(tier.updatedAt)}</Term>
        <Term label="Description" wide>
          {tier.description || "—"}
        </Term>
        <Term label="Features" wide>
          {tier.features.length === 0 ? (
            "—"
          ) : (
            <ul className="list-inside list-disc">
              {tier.features.map((f, i) => (
                <li key={i}>{f}</li>
              ))}
            </ul>
          )}
        </Term>
      </dl>
    </Section>
  );
}

/** Everything but the currency and the partner, which subscribers' invoices depend on. */
function EditSection({ tier }: { tier: Detail["tier"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<TierFormState>(() => tierFormOf(tier));
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const update = useMutation(
    trpc.tier.update.mutationOptions({
      onSuccess: (result) => {
        toast.success(result.changed.length === 0 ? "Nothing to save: the tier is already like this" : `Saved ${result.tier.name}`);
        return queryClient.invalidateQueries({ queryKey: trpc.tier.pathKey() });
      },
      onError: (error) => {
        if (!namesTierField(fieldErrorsOf(error))) toast.error(messageOf(error));
      },
    }),
  );
  const errors: FieldErrors = { ...topLevelErrors(fieldErrorsOf(update.error)), ...localErrors };

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { tierId: tier.id, ...tierCandidateOf(form) };
    const parsed = updateTierSchema.safeParse(input);
    if (!parsed.success) {
      setLocalErrors(errorsByField(parsed.error.issues));
      update.reset();
      return;
    }
    setLocalErrors({});
    update.mutate(input);
  }

  return (
    <Section id="edit" title="Edit tier" description={`The currency (${tier.currency}) is fixed. Open invoices keep the amounts they were issued with; new invoices use the new amounts.`}>
      <form onSubmit={submit} noValidate className="space-y-4">
        <TierFields form={form} errors={errors} onChange={setForm} disabled={update.isPending} mode="edit" />
        <Button type="submit" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save changes"}
        </Button>
      </form>
    </Section>
  );
}

function SubscribersSection({ subscribers }: { subscribers: Detail["subscribers"] }) {
  return (
    <Section id="subscribers" title="Subscribers" description="Clients who subscribe or subscribed to this tier, newest first (latest 200).">
      {subscribers.length === 0 ? (
        <EmptyState title="No subscribers yet" />
      ) : (
        <div className="overflow-x-auto rounded-md border border-slate-200">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Subscribers</caption>
            <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Client
                </th>
                <th scope="col" className="px-3 py-2">
                  Status
                </th>
                <th scope="col" className="px-3 py-2">
                  Period end (UTC)
                </th>
                <th scope="col" className="px-3 py-2">
                  Started (UTC)
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {subscribers.map((s) => (
                <tr key={s.subscriptionId}>
                  <td className="break-all px-3 py-2">
                    <Link href={`/clients/${s.clientId}`} className={`font-medium ${linkClass}`}>
                      {s.email}
                    </Link>
                    {(s.firstName || s.lastName) && <span className="block text-xs text-slate-600">{[s.firstName, s.lastName].filter(Boolean).join(" ")}</span>}
                  </td>
                  <td className="px-3 py-2">
                    <SubscriptionStatusBadge status={s.status} />
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums">{when(s.currentPeriodEnd)}</td>
                  <td className="whitespace-nowrap px-3 py-2 tabular-nums">{when(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
