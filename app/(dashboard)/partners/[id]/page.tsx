import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { loadPage } from "@/server/api/server-caller";
import { PartnerStatusBadge } from "../../../_components/display";
import { RoleRefusal } from "../../../_components/list-page";
import { Notifications } from "../../../_components/notifications";
import { ErrorNotice, PageHeader } from "../../../_components/ui";
import { formatClientCount, formatDateTime } from "../../../_components/vocabulary";
import { ApiKeysSection } from "./api-keys-section";
import { BackLink } from "./back-link";
import { PartnerHostsSection } from "./hosts-section";
import PartnerNotFound from "./not-found";
import { OwnerSection, SettingsSection, StatusSection } from "./partner-forms";
import { PartnerWebhooksSection } from "./webhooks-section";

export const metadata: Metadata = { title: "Partner" };

function Term({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

/**
 * One partner, for admins and the KAM who owns it: read on the server through
 * `partner.get` and `apiKey.list` (and, for admins, the KAMs it may be given
 * to through `staff.list`), changed through the islands' server actions.
 * A partner the staff member may not see is the "Partner not found" page.
 */
export default async function PartnerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/partners/${encodeURIComponent(id)}`;
  const me = await loadPage(path, (api) => api.account.me());
  if (!me.ok) return <RoleRefusal title="Partner">{me.message}</RoleRefusal>;
  const role = me.data.role;
  if (role !== "admin" && role !== "kam") {
    return <RoleRefusal title="Partner">Partners are managed by their key account managers and by admins.</RoleRefusal>;
  }
  // Anything but a partnerId is a partner that does not exist.
  const partnerId = /^[1-9]\d{0,9}$/.test(id) && Number(id) <= 2_147_483_647 ? Number(id) : null;
  if (partnerId === null) return <PartnerNotFound />;

  const [detail, kams] = await Promise.all([
    loadPage(path, (api) => Promise.all([api.partner.get({ partnerId }), api.apiKey.list({ partnerId })])),
    role === "admin"
      ? loadPage(path, async (api) =>
          (await api.staff.list())
            .filter((s) => s.role === "kam" && s.active)
            .map((s) => ({ id: s.id, name: s.name, email: s.email })),
        )
      : undefined,
  ]);
  if (!detail.ok) {
    if (detail.kind === "invalid") return <PartnerNotFound />;
    return (
      <div>
        <BackLink />
        <PageHeader title="Partner" />
        <ErrorNotice>{detail.message}</ErrorNotice>
      </div>
    );
  }
  const [p, keys] = detail.data;
  const forForms = {
    id: p.id,
    name: p.name,
    status: p.status,
    sandbox: p.sandbox,
    captchaRequired: p.captchaRequired,
    quotaPerIpHour: p.quotaPerIpHour,
    quotaTotalHour: p.quotaTotalHour,
    allowedUserTypes: p.allowedUserTypes,
    defaultCurrency: p.defaultCurrency,
    kycApprovedLevel: p.kycApprovedLevel,
    ownerStaffId: p.ownerStaffId,
    owner: p.owner ? { id: p.owner.id, name: p.owner.name, email: p.owner.email } : null,
  };
  return (
    <>
      <Notifications />
      <div className="max-w-5xl space-y-8">
        <div>
          <BackLink />
          <PageHeader title={p.name} description={`partnerId ${p.id}${p.sandbox ? " · sandbox" : ""}`} />
          <dl className="grid gap-4 rounded-lg border border-slate-200 bg-white p-6 sm:grid-cols-2 lg:grid-cols-3">
            <Term label="partnerId">
              <code className="font-mono">{p.id}</code>
            </Term>
            <Term label="Status">
              <PartnerStatusBadge status={p.status} />
            </Term>
            <Term label="Mode">{p.sandbox ? "Sandbox (test data only)" : "Live"}</Term>
            <Term label="Key account manager">{p.owner ? `${p.owner.name} (${p.owner.email})` : "No owner"}</Term>
            <Term label="Clients">
              <Link
                href={`/clients?partnerId=${p.id}`}
                className="text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700"
              >
                {formatClientCount(p)} client{p.clientCount === 1 && !p.clientCountCapped ? "" : "s"}
              </Link>
            </Term>
            <Term label="Created">{formatDateTime(p.createdAt, { zone: true })}</Term>
            <Term label="Last changed">{formatDateTime(p.updatedAt, { zone: true })}</Term>
          </dl>
        </div>
        <SettingsSection key={p.updatedAt.getTime()} partner={forForms} role={role} />
        <ApiKeysSection partnerId={p.id} partnerName={p.name} rows={keys} />
        <StatusSection key={p.status} partner={forForms} />
        {role === "admin" && kams && (
          <OwnerSection key={p.ownerStaffId ?? "none"} partner={forForms} kams={kams.ok ? kams.data : kams.message} />
        )}
      </div>
      <PartnerHostsSection partnerId={partnerId} />
      <PartnerWebhooksSection partnerId={partnerId} />
    </>
  );
}
