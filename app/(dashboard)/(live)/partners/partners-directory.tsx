"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { messageOf, useTRPC } from "../../../_components/trpc";
import { EmptyState, ErrorNotice, PageHeader, Spinner } from "../../../_components/ui";
import { AddPartnerForm } from "./add-partner-form";
import { Badge, clientCountText, PartnerStatusBadge, when } from "./labels";

const linkClass = "text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-700";

export function PartnersDirectory({ role }: { role: "admin" | "kam" }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.partner.list.queryOptions());
  const rows = list.data ?? [];

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

      <AddPartnerForm role={role} />

      {list.isPending ? (
        <Spinner label="Loading partners" />
      ) : list.isError ? (
        <ErrorNotice>{messageOf(list.error)}</ErrorNotice>
      ) : rows.length === 0 ? (
        <EmptyState title="No partners yet">{role === "kam" ? "Partners you add, or an admin assigns to you, appear here." : "Add the first one with the form above."}</EmptyState>
      ) : (
        <>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white" aria-busy={list.isFetching}>
            <table className="min-w-full divide-y divide-slate-200 text-sm">
              <caption className="sr-only">Partners</caption>
              <thead className="whitespace-nowrap bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2">partnerId</th>
                  <th scope="col" className="px-3 py-2">Name</th>
                  <th scope="col" className="px-3 py-2">Status</th>
                  <th scope="col" className="px-3 py-2">Mode</th>
                  <th scope="col" className="px-3 py-2">Key account manager</th>
                  <th scope="col" className="px-3 py-2 text-right">Clients</th>
                  <th scope="col" className="px-3 py-2">Created</th>
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
                    <td className="px-3 py-2">{p.owner ? p.owner.name : <span className="text-slate-600">No owner</span>}</td>
                    <td className="px-3 py-2 text-right tabular-nums">
                      <Link href={`/clients?partnerId=${p.id}`} className={linkClass} aria-label={`${clientCountText(p)} clients of ${p.name}`}>
                        {clientCountText(p)}
                      </Link>
                    </td>
                    <td className="whitespace-nowrap px-3 py-2 tabular-nums">{when(p.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p role="status" className="mt-4 text-sm text-slate-600">
            {rows.length} partner{rows.length === 1 ? "" : "s"}, {rows.filter((p) => p.status === "suspended").length} suspended.
          </p>
        </>
      )}
    </div>
  );
}
