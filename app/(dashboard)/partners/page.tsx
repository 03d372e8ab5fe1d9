import type { Metadata } from "next";
import Link from "next/link";
import { loadPage } from "@/server/api/server-caller";
import { Badge, PartnerStatusBadge } from "../../_components/display";
import { RoleRefusal } from "../../_components/list-page";
import { Notifications } from "../../_components/notifications";
import { Th } from "../../_components/section";
import { EmptyState, PageHeader } from "../../_components/ui";
import { formatClientCount, formatDateTime } from "../../_components/vocabulary";
import { AddPartnerForm } from "./add-partner-form";

export const metadata: Metadata = { title: "Partners" };

const linkClass = "text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700";

/** The partners a KAM manages (an admin: every partner), rendered on the server; adding one is the page's island. */
export default async function PartnersPage() {
  const page = await loadPage("/partners", async (api) => {
    const [me, partners] = await Promise.all([api.account.me(), api.partner.list()]);
    // An admin picks the new partner's owner among the active KAMs.
    const kams =
      me.role === "admin"
        ? (await api.staff.list())
            .filter((s) => s.role === "kam" && s.active)
            .map((s) => ({ id: s.id, name: s.name, email: s.email }))
        : [];
    return { role: me.role === "admin" ? ("admin" as const) : ("kam" as const), partners, kams };
  });
  if (!page.ok)
    return (
      <RoleRefusal title="Partners">
        {page.kind === "forbidden" ? "Partners are managed by their key account managers and by admins." : page.message}
      </RoleRefusal>
    );
  const { role, partners: rows, kams } = page.data;

  return (
    <div>
      <PageHeader
        title="Partners"
        description={
          role === "kam"
            ? "The partners you manage as their key account manager: add one, change its settings, suspend it, issue and revoke its master API keys."
            : "Every partner: add one, change settings, suspend, reassign its key account manager, issue and revoke master API keys."
        }
      />
      <Notifications />
      <AddPartnerForm role={role} kams={kams} />

      {rows.length === 0 ? (
        <EmptyState title="No partners yet">
          {role === "kam"
            ? "Partners you add, or an admin assigns to you, appear here."
            : "Add the first one with the form above."}
        </EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Partners</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <Th>partnerId</Th>
                  <Th>Name</Th>
                  <Th>Status</Th>
                  <Th>Mode</Th>
                  <Th>Key account manager</Th>
                  <Th className="text-right">Clients</Th>
                  <Th>Created</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((p) => (
                  <tr key={p.id} className="hover:bg-slate-50">
                    <td className="px-3 py-2 font-mono tabular-nums">{p.id}</td>
                    <th scope="row" className="px-3 py-2 text-left font-medium">
                      <Link href={`/partners/${p.id}`} className={linkClass}>
                        {p.name}
                      </Link>
                    </th>
                    <td className="px-3 py-2">
                      <PartnerStatusBadge status={p.status} />
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-1">
                        {p.sandbox ? <Badge tone="amber">Sandbox</Badge> : <Badge tone="grey">Production</Badge>}
                        {p.captchaRequired && <Badge tone="grey">Captcha</Badge>}
                      </div>
                    </td>
                    <td className="px-3 py-2">
                      {p.owner ? p.owner.name : <span className="text-slate-600">No owner</span>}
                    </td>
                    <td className="px-3 py-2 text-right tabular-nums">
                      <Link
                        href={`/clients?partnerId=${p.id}`}
                        className={linkClass}
                        aria-label={`${formatClientCount(p)} clients of ${p.name}`}
                      >
                        {formatClientCount(p)}
                      </Link>
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">
                      {formatDateTime(p.createdAt, { zone: true })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p role="status" className="mt-4 text-sm text-slate-600">
            {rows.length} partner{rows.length === 1 ? "" : "s"}, {rows.filter((p) => p.status === "suspended").length}{" "}
            suspended.
          </p>
        </>
      )}
    </div>
  );
}
